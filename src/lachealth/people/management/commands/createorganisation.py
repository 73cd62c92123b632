"""`lachealth createorganisation NAME --kind LA --area E08000032 …`: add an organisation.

For the first set-up of an installation, before any system administrator can sign in.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from lachealth.people import services
from lachealth.people.models import Area, OrganisationKind


class Command(BaseCommand):
    help = "Add an organisation (local authority, NHS LAC health provider or ICB) with its areas."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name")
        parser.add_argument(
            "--kind", required=True, choices=OrganisationKind.values, help="LA, PROVIDER or ICB"
        )
        parser.add_argument(
            "--area",
            action="append",
            required=True,
            metavar="ONS_CODE",
            help="an area the organisation covers (repeat for several)",
        )
        parser.add_argument("--ods-code", default="")

    def handle(self, *args, **options) -> None:  # type: ignore[no-untyped-def]
        codes = options["area"]
        areas = list(Area.english.filter(code__in=codes))
        unknown = sorted(set(codes) - {a.code for a in areas})
        if unknown:
            raise CommandError(
                f"--area: unknown ONS code(s) {', '.join(unknown)}; use the "
                "codes of English upper-tier local authorities, like E08000032"
            )
        try:
            org = services.save_organisation(
                by=None,
                name=options["name"],
                kind=options["kind"],
                areas=areas,
                ods_code=options["ods_code"],
            )
        except ValidationError as exc:
            raise CommandError(_message(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Added {org.name} ({org.get_kind_display()}) covering "
                f"{', '.join(a.name for a in areas)}"
            )
        )


def _message(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in exc.message_dict.items())
    return " ".join(exc.messages)
