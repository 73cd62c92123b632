"""`lachealth <command>`: Django's management commands under the product's own name.

`lachealth demo`, `lachealth serve`, `lachealth createuser`… and every Django command
(`lachealth migrate`, `lachealth --help`).
"""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lachealth.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["lachealth", *sys.argv[1:]])


if __name__ == "__main__":
    main()
