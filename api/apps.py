from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = "API"

    def ready(self):
        # drf-spectacular finds the key's security scheme by its extension class being imported.
        from api import schema  # noqa: F401, PLC0415 (the schema module imports serializers: models must be ready)
