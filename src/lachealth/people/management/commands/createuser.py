"""`lachealth createuser USERNAME --organisation NAME --role ROLE`: add a user with a role.

For the first system administrator of an installation (and for scripted set-up). The password
is asked for at the prompt, or read from the LACHEALTH_NEW_PASSWORD environment variable; the
user enrols their authenticator app at first sign-in.
"""

from __future__ import annotations

import getpass
import os

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from lachealth.people import services
from lachealth.people.models import Organisation, Role

from .createorganisation import _message


class Command(BaseCommand):
    help = "Add a user and give them a role in an organisation."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--organisation", required=True, help="the organisation's name")
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--email", default="")
        parser.add_argument("--first-name", default="")
        parser.add_argument("--last-name", default="")

    def handle(self, *args, **options) -> None:  # type: ignore[no-untyped-def]
        org = Organisation.objects.filter(name=options["organisation"]).first()
        if org is None:
            raise CommandError(
                f"--organisation: no organisation is called "
                f"“{options['organisation']}” (add it with createorganisation)"
            )
        password = os.environ.get("LACHEALTH_NEW_PASSWORD") or getpass.getpass("Password: ")
        try:
            with transaction.atomic():
                user = services.create_user(
                    by=None,
                    username=options["username"],
                    first_name=options["first_name"],
                    last_name=options["last_name"],
                    email=options["email"],
                    password=password,
                )
                services.grant_role(by=None, user=user, organisation=org, role=options["role"])
        except ValidationError as exc:
            raise CommandError(_message(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Added {user.username}: {Role(options['role']).label} at {org.name}. They set up "
                "their authenticator app when they first sign in."
            )
        )
