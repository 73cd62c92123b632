"""`lachealth export-903 --la CODE --year YYYY --user NAME`: write an LA's SSDA903 files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser

from lachealth.interop.export import build_return
from lachealth.interop.imports import require_return_access
from lachealth.people.arguments import find_area, find_user
from lachealth.people.audit import record
from lachealth.people.models import AccessAction


class Command(BaseCommand):
    help = "Export one LA's SSDA903 Header, Episodes and OC2 (and OC3) files for a year."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--la", required=True, help="the LA: ONS code (E08000032) or DfE code (380)"
        )
        parser.add_argument(
            "--year", type=int, required=True, help="the year the return ends: 2026 for 2025/26"
        )
        parser.add_argument("--user", required=True, help="the LA data officer exporting")
        parser.add_argument("--out", default=".", help="folder to write the CSV files into")

    def handle(self, *args: Any, **options: Any) -> None:
        area = find_area(options["la"])
        user = find_user(options["user"])
        try:
            require_return_access(user, area)
        except PermissionDenied as denied:
            raise CommandError(str(denied)) from None
        out = Path(options["out"])
        out.mkdir(parents=True, exist_ok=True)
        result = build_return(area.code, options["year"])
        for name, content in result.files.items():
            (out / name).write_bytes(content)
        record(
            None,
            AccessAction.EXPORT,
            user=user,
            detail=f"SSDA903 export {area.code} {options['year']} from the command line: "
            f"{result.hashes}",
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"{area.name} {options['year'] - 1}/{str(options['year'])[2:]}: {result.children} "
                f"children, {result.episodes} episodes, {result.oc2_children} in OC2, written to "
                f"{out}"
            )
        )
