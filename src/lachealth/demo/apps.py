from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "lachealth.demo"
    label = "demo"
    verbose_name = "Demonstration data"
