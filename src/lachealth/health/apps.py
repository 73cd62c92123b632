from django.apps import AppConfig


class HealthConfig(AppConfig):
    name = "lachealth.health"
    label = "health"
    verbose_name = "Health"
