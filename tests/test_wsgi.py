"""The WSGI module gunicorn preloads: every template compiled once, and what is loaded kept
out of the garbage collector's passes."""

from __future__ import annotations

import gc

from django.template import engines


def test_loading_the_application_compiles_every_template_and_freezes_what_is_loaded():
    env = engines["jinja2"].env  # type: ignore[attr-defined]
    env.cache.clear()
    try:
        from lachealth import wsgi

        wsgi.warm_up()
        keys = env.cache.keys()  # a Jinja LRU cache of (loader, name)
        compiled = {name for _, name in keys}
        assert "people/home.jinja" in compiled and "health/worklist.jinja" in compiled
        assert "nhsuk/components/button/macro.jinja" in compiled
        assert gc.get_freeze_count() > 0
        assert callable(wsgi.application)
    finally:
        gc.unfreeze()


def test_no_database_connection_is_left_open_for_the_workers_to_share(monkeypatch):
    # The test database may be SQLite in memory, whose connection never closes: what is
    # checked is that warm-up closes every connection it may have opened.
    from django.db import connections

    from lachealth import wsgi

    closed = []
    monkeypatch.setattr(connections, "close_all", lambda: closed.append(True))
    try:
        wsgi.warm_up()
        assert closed == [True]
    finally:
        gc.unfreeze()
