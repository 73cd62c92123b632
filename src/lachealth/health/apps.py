from django.apps import AppConfig


class HealthConfig(AppConfig):
    name = "lachealth.health"
    label = "health"
    verbose_name = "Health"

    def ready(self) -> None:
        from lachealth.care import events, panels
        from lachealth.people import home

        from . import home as health_home
        from .own_account_views import landing
        from .summary_views import alerts_panel
        from .views import child_panel

        panels.register("health/_alerts.jinja", alerts_panel, place="top")
        panels.register("health/_child_panel.jinja", child_panel)
        home.register(health_home.sections)
        home.register_landing(landing)
        events.dates_corrected.connect(_follow_due_dates, dispatch_uid="health.dates_corrected")
        events.episode_withdrawn.connect(_follow_due_dates, dispatch_uid="health.episode_withdrawn")


def _follow_due_dates(
    sender: object, *, child_id: int, by: object, reason: str, **_: object
) -> None:
    """When the dates of a child's care change, so do the due dates their assessments were
    held to (the initial assessment's is counted from the day care began)."""
    from lachealth.care.models import Child

    from .corrections import follow_due_dates

    follow_due_dates(
        Child.objects.get(pk=child_id), by=by, reason=f"the child's care dates changed: {reason}"
    )
