from typing import Any

from django.apps import AppConfig


class HandoversConfig(AppConfig):
    name = "lachealth.handovers"
    label = "handovers"
    verbose_name = "Handovers between agencies"

    def ready(self) -> None:
        from lachealth.care import events, panels
        from lachealth.health import ownership
        from lachealth.people import home

        from . import home as handovers_home
        from .views import child_panel, health_request_after_entry

        events.episodes_changed.connect(_notify, dispatch_uid="handovers.notify_care_events")
        events.dates_corrected.connect(_follow, dispatch_uid="handovers.follow_corrected_dates")
        events.episode_withdrawn.connect(
            _withdraw, dispatch_uid="handovers.follow_withdrawn_episode"
        )
        ownership.assessment_team_changed.connect(
            _tell, dispatch_uid="handovers.tell_previous_team"
        )
        home.register(handovers_home.sections)
        panels.register_next_step(health_request_after_entry)
        panels.register("handovers/_child_panel.jinja", child_panel)


def _notify(sender: Any, *, child_ids: list[int], by: Any, as_of: Any, **kwargs: Any) -> None:
    from .services import notify_care_events

    notify_care_events(child_ids, by=by, as_of=as_of)


def _follow(
    sender: Any, *, child_id: int, corrections: Any, by: Any, reason: str, as_of: Any, **_: Any
) -> None:
    from .services import follow_corrected_dates

    follow_corrected_dates(
        child_id=child_id, corrections=corrections, by=by, reason=reason, as_of=as_of
    )


def _tell(sender: Any, **kwargs: Any) -> None:
    from .services import tell_previous_team

    kwargs.pop("signal", None)
    tell_previous_team(**kwargs)


def _withdraw(sender: Any, **kwargs: Any) -> None:
    from .services import follow_withdrawn_episode

    kwargs.pop("signal", None)
    follow_withdrawn_episode(**kwargs)
