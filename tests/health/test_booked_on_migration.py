"""The migration that gives bookings made before the booking day was kept a day: when they
were first saved, or the appointment's own day if earlier."""

from __future__ import annotations

import importlib
from datetime import date, datetime

import time_machine
from django.apps import apps
from django.utils import timezone

from lachealth.health import services
from lachealth.health.models import Appointment

from ..conftest import BRADFORD
from ..factories import area, child_in_care

migration = importlib.import_module("lachealth.health.migrations.0015_appointment_booked_on")


def test_old_bookings_take_the_day_they_were_first_saved(world):
    child = child_in_care(area(BRADFORD), la_child_id="BKD")
    nurse = world.users["prov_a_nurse"]
    with time_machine.travel("2026-03-02 09:00:00 +0000", tick=False):
        booked = services.book_appointment(
            by=nurse,
            child=child,
            kind="RHA",
            starts_at=timezone.make_aware(datetime(2026, 3, 20, 10)),
            venue="Clinic",
            practitioner=nurse,
            as_of=date(2026, 3, 2),
        )
    assert booked.booked_on == date(2026, 3, 2)
    # Recorded afterwards (its first version saved after the day it took place).
    with time_machine.travel("2026-04-10 09:00:00 +0000", tick=False):
        late = Appointment.objects.create(
            child=child,
            kind="RHA",
            provider=world.orgs["prov_a"],
            starts_at=timezone.make_aware(datetime(2026, 4, 1, 10)),
            venue="Home",
            practitioner=nurse,
            booked_by=nurse,
        )
    Appointment.objects.filter(pk__in=[booked.pk, late.pk]).update(booked_on=None)
    migration.booked_on_from_history(apps, None)
    assert Appointment.objects.get(pk=booked.pk).booked_on == date(2026, 3, 2)
    assert Appointment.objects.get(pk=late.pk).booked_on == date(2026, 4, 1)
