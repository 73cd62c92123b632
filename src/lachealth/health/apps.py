from django.apps import AppConfig


class HealthConfig(AppConfig):
    name = "lachealth.health"
    label = "health"
    verbose_name = "Health"

    def ready(self) -> None:
        from lachealth.care import panels

        from .views import child_panel

        panels.register("health/_child_panel.jinja", child_panel)
