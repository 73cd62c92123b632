"""`lachealth passports --area CODE --user NAME --out DIR`: the latest health passport of every
young person of an area, as the PDFs they keep, for a team that prints them or sends them on
securely (a care leavers' service, a year's leavers). Only a health user who may read those
passports runs it; each PDF is in the access log as an export, like a download."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Max
from tqdm import tqdm

from lachealth.care.models import Child
from lachealth.health.models import Passport
from lachealth.health.passport_views import pdf_bytes
from lachealth.people import access
from lachealth.people.arguments import find_area, find_user
from lachealth.people.audit import record
from lachealth.people.models import AccessAction


class Command(BaseCommand):
    help = "Write the latest health passport of every young person of an area as PDF files."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--area", required=True, help="the responsible area: ONS code (E08000034) or DfE code"
        )
        parser.add_argument("--user", required=True, help="the health practitioner exporting")
        parser.add_argument("--out", default=".", help="folder to write the PDF files into")

    def handle(self, *args: Any, **options: Any) -> None:
        area = find_area(options["area"], "--area")
        user = find_user(options["user"])
        if area.code not in access.areas_for(user, access.HEALTH_CHILD_ROLES):
            raise CommandError(
                f"--user: {user.username} is not in a health team serving {area.name}"
            )
        latest = (
            Passport.objects.filter(
                child__responsible_area=area,
                child__in=Child.objects.visible_to(user),
            )
            .values("child")
            .annotate(version=Max("version"))
        )
        wanted = {row["child"]: row["version"] for row in latest}
        passports = [
            p
            for p in Passport.objects.filter(child_id__in=wanted)
            .select_related("child", "provider")
            .order_by("child__la_child_id")
            if wanted[p.child_id] == p.version
        ]
        out = Path(options["out"])
        out.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        for found in tqdm(passports, desc="Health passports", unit="PDF", file=self.stderr):
            # The LA's child ID is free text: kept to letters, digits, - and _ so that no ID
            # writes outside --out; the record's own number keeps two such IDs apart.
            safe_id = re.sub(r"[^A-Za-z0-9_-]", "_", found.child.la_child_id)
            name = f"{safe_id}-{found.child.pk}-health-passport-v{found.version}.pdf"
            (out / name).write_bytes(pdf_bytes(found))
            record(
                None,
                AccessAction.EXPORT,
                user=user,
                child=found.child,
                detail=f"health passport version {found.version} as PDF from the command line",
            )
        took = time.perf_counter() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"{area.name}: {len(passports)} passports written to {out} in {took:.1f} s"
            )
        )
