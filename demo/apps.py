from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo data for development and trying the app out: ``manage.py demo_data``."""

    name = "demo"
    verbose_name = "Demo data"
