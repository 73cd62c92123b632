"""Review health assessments recorded before due dates kept the law's calendar date.

They were stored due on the next working day when six or twelve calendar months after the
last assessment fell on a weekend or bank holiday, and one done on that working day counted
as on time. Each is now due on the calendar date, its lateness counted from it. Only an
assessment whose stored due date is exactly that rolled date is changed, and each change is
kept as a version of the assessment with the reason. The calendar rule is written out here,
as it stood; working days are England's (`clocks`), which do not change.
"""

import calendar
from datetime import date

from django.db import migrations
from django.utils import timezone

from lachealth.health import clocks

BATCH = 2000
REASON = "due on the law's calendar date, not the next working day (health 0005)"


def _add_months(day: date, months: int) -> date:
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _rolled(day: date) -> date:
    return day if clocks.is_working_day(day) else clocks.add_working_days(day, 1)


def _late(due: date, done: date) -> int:
    return clocks.working_days_between(due, done) if done > due else 0


def _save(apps, changed: list) -> None:
    """The changes, and a version of each assessment as it now stands."""
    assessment_model = apps.get_model("health", "HealthAssessment")
    history_model = apps.get_model("health", "HistoricalHealthAssessment")
    assessment_model.objects.bulk_update(changed, ["due_on", "working_days_late"])
    now = timezone.now()
    names = [f.attname for f in assessment_model._meta.concrete_fields]
    history_model.objects.bulk_create(
        history_model(**row, history_date=now, history_type="~", history_change_reason=REASON)
        for row in assessment_model.objects.filter(pk__in=[c.pk for c in changed]).values(*names)
    )


def _recount(apps, *, to_calendar: bool) -> None:
    assessment_model = apps.get_model("health", "HealthAssessment")
    rows = assessment_model.objects.order_by("child_id", "completed_on").values_list(
        "pk", "child_id", "child__date_of_birth", "kind", "completed_on", "due_on"
    )
    changed, previous = [], None
    for pk, child_id, born, kind, completed_on, due_on in rows.iterator(chunk_size=BATCH):
        if kind == "RHA" and previous is not None and previous[0] == child_id:
            months = 6 if previous[1] < _add_months(born, 60) else 12
            calendar_due = _add_months(previous[1], months)
            old, new = (
                (_rolled(calendar_due), calendar_due)
                if to_calendar
                else (calendar_due, _rolled(calendar_due))
            )
            if old != new and due_on == old:
                changed.append(
                    assessment_model(pk=pk, due_on=new, working_days_late=_late(new, completed_on))
                )
        previous = (child_id, completed_on)
        if len(changed) >= BATCH:
            _save(apps, changed)
            changed = []
    if changed:
        _save(apps, changed)


def forwards(apps, schema_editor):
    _recount(apps, to_calendar=True)


def backwards(apps, schema_editor):
    _recount(apps, to_calendar=False)


class Migration(migrations.Migration):
    dependencies = [
        ("health", "0004_substance_misuse_interventions"),
        ("care", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
