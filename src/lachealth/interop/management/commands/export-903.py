"""`lachealth export-903 --la CODE --year YYYY`: write an LA's SSDA903 Header, Episodes and OC2."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from lachealth.interop.export import build_return
from lachealth.people.audit import record
from lachealth.people.models import AccessAction, Area


class Command(BaseCommand):
    help = "Export one LA's SSDA903 Header, Episodes and OC2 files for a collection year."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--la", required=True, help="the LA: ONS code (E08000032) or DfE code (380)"
        )
        parser.add_argument(
            "--year", type=int, required=True, help="the year the return ends: 2026 for 2025/26"
        )
        parser.add_argument("--out", default=".", help="folder to write the CSV files into")

    def handle(self, *args, **options) -> None:  # type: ignore[no-untyped-def]
        area = (
            Area.objects.filter(code=options["la"]).first()
            or Area.objects.filter(dfe_code=options["la"]).first()
        )
        if area is None:
            raise CommandError(f"--la: no local authority has the code {options['la']}")
        out = Path(options["out"])
        out.mkdir(parents=True, exist_ok=True)
        result = build_return(area.code, options["year"])
        for name, content in result.files.items():
            (out / name).write_bytes(content)
        record(
            None,
            AccessAction.EXPORT,
            detail=f"SSDA903 export {area.code} {options['year']} from the command line",
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"{area.name} {options['year'] - 1}/{str(options['year'])[2:]}: {result.children} "
                f"children, {result.episodes} episodes, {result.oc2_children} in OC2, written to "
                f"{out}"
            )
        )
