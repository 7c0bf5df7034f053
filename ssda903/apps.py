from django.apps import AppConfig


class Ssda903Config(AppConfig):
    name = "ssda903"
