"""WSGI entry point for gunicorn (`gunicorn lachealth.wsgi`).

`lachealth serve` loads it once in gunicorn's master process (`--preload`), so what is done
here is done once and shared by every worker: every template is compiled now rather than on
the first request of each worker, and then everything loaded so far (Django, the compiled
templates and the NHS.UK macros, matplotlib) is frozen out of the garbage collector, whose
full passes over it otherwise stop a request for a tenth of a second or more now and then.
Workers keep their database connection between requests (`CONN_MAX_AGE`), so none may be
open when they fork: each opens its own.
"""

import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lachealth.settings")
application = get_wsgi_application()


def warm_up() -> None:
    """Compile every template, then keep all that is loaded out of the collector's passes."""
    from django.db import connections
    from django.template import engines

    for engine in engines.all():
        env = getattr(engine, "env", None)
        if env is not None:
            for name in env.list_templates(extensions=["jinja"]):
                env.get_template(name)
    connections.close_all()  # a connection must never be shared by forked workers
    gc.freeze()


warm_up()
