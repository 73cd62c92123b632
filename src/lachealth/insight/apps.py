from django.apps import AppConfig


class InsightConfig(AppConfig):
    name = "lachealth.insight"
    label = "insight"
    verbose_name = "Measures and reports"
