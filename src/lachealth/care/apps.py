from django.apps import AppConfig


class CareConfig(AppConfig):
    name = "lachealth.care"
    label = "care"
    verbose_name = "Care record"
