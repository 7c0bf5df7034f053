from django.apps import AppConfig


class ExtractConfig(AppConfig):
    name = "extract"
    verbose_name = "Case-management extract"
