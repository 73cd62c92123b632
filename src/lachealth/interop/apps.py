from django.apps import AppConfig


class InteropConfig(AppConfig):
    name = "lachealth.interop"
    label = "interop"
    verbose_name = "SSDA903 import and export"
