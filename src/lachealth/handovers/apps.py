from typing import Any

from django.apps import AppConfig


class HandoversConfig(AppConfig):
    name = "lachealth.handovers"
    label = "handovers"
    verbose_name = "Handovers between agencies"

    def ready(self) -> None:
        from lachealth.care import events, panels

        from .views import child_panel

        events.episodes_changed.connect(_notify, dispatch_uid="handovers.notify_care_events")
        panels.register("handovers/_child_panel.jinja", child_panel)


def _notify(sender: Any, *, child_ids: list[int], by: Any, as_of: Any, **kwargs: Any) -> None:
    from .services import notify_care_events

    notify_care_events(child_ids, by=by, as_of=as_of)
