from django.apps import AppConfig


class HealthConfig(AppConfig):
    name = "lachealth.health"
    label = "health"
    verbose_name = "Health"

    def ready(self) -> None:
        from lachealth.care import panels
        from lachealth.people import home

        from . import home as health_home
        from .summary_views import alerts_panel
        from .views import child_panel

        panels.register("health/_alerts.jinja", alerts_panel, place="top")
        panels.register("health/_child_panel.jinja", child_panel)
        home.register(health_home.sections)
