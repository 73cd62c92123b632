"""PostgreSQL through pg_dump and pg_restore of the server's own major version.

The backup is pg_dump's custom format, taken in a snapshot exported from a repeatable-read
transaction that also counts every table's rows: the counts printed are exactly the dump's,
and an import committed during the dump is in it wholly or not at all. The restore turns the
dump into SQL (pg_restore) and runs it through psql as one transaction that first drops
what the schema holds: a restore that fails leaves the database as it was. Connection
settings reach the tools through libpq's environment variables, never the command line.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from .checks import (
    BackupError,
    Progress,
    Summary,
    applied_from_rows,
    refuse_newer,
    refuse_records,
    refuse_unless_lachealth,
)

#: Where Debian and Ubuntu install each major version's client tools side by side.
TOOLS_ROOT = Path("/usr/lib/postgresql")
#: libpq's environment variable for each connection setting lachealth passes on.
LIBPQ_ENV = {
    "host": "PGHOST",
    "port": "PGPORT",
    "user": "PGUSER",
    "password": "PGPASSWORD",
    "dbname": "PGDATABASE",
    "passfile": "PGPASSFILE",
    "service": "PGSERVICE",
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "connect_timeout": "PGCONNECT_TIMEOUT",
    "target_session_attrs": "PGTARGETSESSIONATTRS",
}
TABLES = """
    SELECT c.relname, pg_table_size(c.oid)
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p')
    ORDER BY c.relname
"""
#: Run first in the restore's transaction: whatever migrations made in the schema goes (its
#: tables with their views and sequences, and its functions such as the access log's trigger),
#: but not the extensions' own objects (pg_trgm's functions), which the dump does not recreate.
DROP_SCHEMA_OBJECTS = """
SET client_min_messages = warning;
DO $$
DECLARE object record;
BEGIN
  FOR object IN SELECT tablename FROM pg_tables WHERE schemaname = current_schema() LOOP
    EXECUTE format('DROP TABLE IF EXISTS %I CASCADE', object.tablename);
  END LOOP;
  FOR object IN
    SELECT format('%I', c.relname) AS name, c.relkind FROM pg_class c
    WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind IN ('v', 'm', 'S')
      AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'e')
  LOOP
    EXECUTE format(
      CASE object.relkind WHEN 'v' THEN 'DROP VIEW IF EXISTS %s CASCADE'
        WHEN 'm' THEN 'DROP MATERIALIZED VIEW IF EXISTS %s CASCADE'
        ELSE 'DROP SEQUENCE IF EXISTS %s CASCADE' END,
      object.name);
  END LOOP;
  FOR object IN
    SELECT p.oid::regprocedure::text AS name FROM pg_proc p
    WHERE p.pronamespace = current_schema()::regnamespace AND p.prokind IN ('f', 'p')
      AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')
  LOOP
    EXECUTE format('DROP ROUTINE IF EXISTS %s CASCADE', object.name);
  END LOOP;
END $$;
"""
DUMPING = re.compile(r'dumping contents of table "(?:[^"]*\.)?([^"]+)"')
MIGRATIONS_DATA = re.compile(r"^COPY \S*django_migrations \(([^)]*)\) FROM stdin;$")


def connection_params(database: Mapping[str, Any]) -> dict[str, str]:
    """libpq's connection settings from a DATABASES entry (OPTIONS libpq does not know,
    such as psycopg's, are left out)."""
    params = {k: str(v) for k, v in database.get("OPTIONS", {}).items() if k in LIBPQ_ENV}
    for key, setting in [
        ("dbname", "NAME"),
        ("user", "USER"),
        ("password", "PASSWORD"),
        ("host", "HOST"),
        ("port", "PORT"),
    ]:
        if database.get(setting):
            params[key] = str(database[setting])
    return params


def tool_env(params: Mapping[str, str]) -> dict[str, str]:
    """The tools' environment: the settings over what the environment already says (which
    libpq, and so the service's own connection, reads for whatever the settings leave out)."""
    return {**os.environ, **{LIBPQ_ENV[k]: v for k, v in params.items()}}


def connect(params: Mapping[str, str], **kwargs: Any) -> Any:
    import psycopg
    from psycopg.conninfo import make_conninfo

    try:
        return psycopg.connect(make_conninfo(**params), **kwargs)
    except psycopg.OperationalError as exc:
        where = params.get("dbname", "?")
        raise BackupError(
            f"Cannot connect to the PostgreSQL database {where}: {str(exc).strip()}"
        ) from exc


def server_major(conn: Any) -> int:
    """The server's major version (15 for 15.x; `server_version_num` is 150018 for 15.18)."""
    return int(conn.execute("SHOW server_version_num").fetchone()[0]) // 10000


def tool(name: str, major: int, *, root: Path = TOOLS_ROOT, path: str | None = None) -> str:
    """The PostgreSQL client tool `name` of major version `major`: the version's own directory,
    else the one on PATH if it is that version; otherwise refused, saying what is needed."""
    own = root / str(major) / "bin" / name
    if own.is_file() and os.access(own, os.X_OK):
        return str(own)
    found = shutil.which(name, path=path)
    found_major = _tool_major(found) if found else None
    if found and found_major == major:
        return found
    on_path = f"; {found} is version {found_major}" if found else ""
    raise BackupError(
        f"{name} {major} is needed for this PostgreSQL {major} server, and neither {own} nor "
        f"a {name} {major} on PATH is there{on_path}. Install PostgreSQL {major}'s client "
        f"tools (on Debian and Ubuntu: apt install postgresql-client-{major})."
    )


def _tool_major(path: str) -> int | None:
    try:
        out = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=30)
    except OSError:
        return None
    match = re.search(r"\) (\d+)", out.stdout)
    return int(match.group(1)) if match else None


def row_counts(conn: Any, only: Iterable[str] | None = None) -> dict[str, int]:
    """Rows in every table of the schema, or in those of `only` that it has."""
    from psycopg import sql

    wanted = None if only is None else set(only)
    tables = [
        name for name, _ in conn.execute(TABLES).fetchall() if wanted is None or name in wanted
    ]
    return {
        t: conn.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(t))).fetchone()[0]
        for t in tables
    }


def back_up(
    database: Mapping[str, Any], output: Path, partial: Path, progress: Progress
) -> Summary:
    """Dump the database into `partial` (which the caller renames to `output` when it is done)."""
    import psycopg

    start = time.perf_counter()
    params = connection_params(database)
    with connect(params) as conn:
        conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        conn.read_only = True
        pg_dump = tool("pg_dump", server_major(conn))
        snapshot = conn.execute("SELECT pg_export_snapshot()").fetchone()[0]
        sizes = dict(conn.execute(TABLES).fetchall())
        counts = row_counts(conn, sizes)
        total = sum(sizes.values())
        progress("Backing up", 0, total, "B")
        # The exporting transaction stays open until pg_dump has finished with its snapshot.
        dump = subprocess.Popen(
            [
                pg_dump,
                "--format=custom",
                "--verbose",
                f"--snapshot={snapshot}",
                f"--file={partial}",
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            env=tool_env(params),
        )
        assert dump.stderr is not None
        done, current, problems = 0, None, []
        try:
            for line in dump.stderr:
                match = DUMPING.search(line)
                if match:
                    done += sizes.get(current, 0) if current else 0
                    current = match.group(1)
                    progress("Backing up", done, total, "B")
                elif "error:" in line or "warning:" in line:
                    problems.append(line.strip())
        except BaseException:  # interrupted: pg_dump stops too, and the caller drops its file
            dump.kill()
            dump.wait()
            raise
        if dump.wait() != 0:
            raise BackupError(
                "pg_dump failed, and nothing was written to "
                f"{output}: {' '.join(problems) or f'exit status {dump.returncode}'}"
            )
        progress("Backing up", total, total, "B")
    return Summary(
        path=output,
        engine="PostgreSQL",
        counts=counts,
        size=partial.stat().st_size,
        seconds=time.perf_counter() - start,
    )


def restore(
    database: Mapping[str, Any], backup: Path, progress: Progress, *, force: bool
) -> Summary:
    """Replace the database's tables with the backup's, in one transaction, then ANALYZE."""
    start = time.perf_counter()
    params = connection_params(database)
    with connect(params, autocommit=True) as conn:
        major = server_major(conn)
        pg_restore, psql = tool("pg_restore", major), tool("psql", major)
        contents = _contents(pg_restore, backup, params)
        applied = _applied(pg_restore, backup, params)
        refuse_unless_lachealth(backup, applied)
        notes = refuse_newer(backup, applied)
        refuse_records(
            lambda tables: row_counts(conn, tables),
            force=force,
            where=f"The PostgreSQL database {params['dbname']}",
        )
    with tempfile.TemporaryDirectory(prefix="lachealth-restore-") as folder:
        listing = Path(folder) / "contents.list"
        # The comment on an extension belongs to its owner, who may not be the restoring user.
        entries = [
            line
            for line in contents.splitlines()
            if line and not line.startswith(";") and "COMMENT - EXTENSION" not in line
        ]
        listing.write_text("\n".join(entries) + "\n")
        _run_in_one_transaction(
            [pg_restore, "--verbose", "--no-owner", "--no-privileges", f"--use-list={listing}"],
            [psql, "--no-psqlrc", "--quiet", "--set=ON_ERROR_STOP=1", "--single-transaction"],
            backup,
            params,
            lambda done: progress("Restoring", min(done, len(entries)), len(entries), " items"),
        )
    with connect(params, autocommit=True) as conn:
        # The restored tables have no planner statistics until they are analysed.
        progress("Analysing", 0, 1, " steps")
        conn.execute("ANALYZE")
        progress("Analysing", 1, 1, " steps")
        counts = row_counts(conn)
    return Summary(
        path=backup,
        engine="PostgreSQL",
        counts=counts,
        size=backup.stat().st_size,
        seconds=time.perf_counter() - start,
        notes=notes,
    )


def _contents(pg_restore: str, backup: Path, params: Mapping[str, str]) -> str:
    """The dump's table of contents (`pg_restore --list`); refuses a dump that is not lachealth's
    or that this pg_restore cannot read."""
    listed = subprocess.run(
        [pg_restore, "--list", str(backup)], capture_output=True, text=True, env=tool_env(params)
    )
    if listed.returncode != 0:
        raise BackupError(
            f"{backup} cannot be read by {pg_restore}: {listed.stderr.strip()}. A dump by a "
            "newer pg_dump needs a server (and pg_restore) at least as new."
        )
    if not re.search(r"^\d+; \d+ \d+ TABLE \S+ django_migrations ", listed.stdout, re.M):
        raise BackupError(
            f"{backup} is not a lachealth backup: the dump has no django_migrations table."
        )
    return listed.stdout


def _applied(pg_restore: str, backup: Path, params: Mapping[str, str]) -> set[tuple[str, str]]:
    """The migrations recorded in the dump's django_migrations, read from its data as SQL."""
    out = subprocess.run(
        [pg_restore, "--data-only", "--table=django_migrations", "--file=-", str(backup)],
        capture_output=True,
        text=True,
        env=tool_env(params),
    )
    if out.returncode != 0:
        raise BackupError(f"{backup} cannot be read: {out.stderr.strip()}")
    rows, columns = [], None
    for line in out.stdout.splitlines():
        header = MIGRATIONS_DATA.match(line)
        if header:
            columns = [c.strip().strip('"') for c in header.group(1).split(",")]
        elif columns is not None and line == "\\.":
            break
        elif columns is not None:
            values = dict(zip(columns, line.split("\t"), strict=False))
            rows.append((values.get("app", ""), values.get("name", "")))
    return applied_from_rows(rows)


def _run_in_one_transaction(
    pg_restore: list[str],
    psql: list[str],
    backup: Path,
    params: Mapping[str, str],
    advance: Callable[[int], None],
) -> None:
    """pg_restore's SQL into psql after DROP_SCHEMA_OBJECTS, all one transaction. psql commits
    at the end of its input, so that input is closed only once pg_restore has written all of
    it; if anything fails first, psql is killed and the server rolls the transaction back."""
    env = tool_env(params)
    reader = subprocess.Popen(
        [*pg_restore, "--file=-", str(backup)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    writer = subprocess.Popen(
        [*psql, f"--command={DROP_SCHEMA_OBJECTS}", "--file=-"],
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=env,
    )
    sql, log, into, said = reader.stdout, reader.stderr, writer.stdin, writer.stderr
    assert sql and log and into and said
    psql_said: list[bytes] = []
    listening = threading.Thread(target=lambda: psql_said.append(said.read()), daemon=True)
    listening.start()

    def pump() -> None:
        try:
            shutil.copyfileobj(sql, into, 1 << 16)
        except OSError:  # psql stopped reading at an error, which its exit status reports
            pass
        finally:
            sql.close()  # and pg_restore stops writing

    pumping = threading.Thread(target=pump, daemon=True)
    pumping.start()
    done, problems = 0, []
    try:
        for raw in log:
            line = raw.decode(errors="replace").strip()
            if "error:" in line:
                problems.append(line)
            elif line.startswith("pg_restore:"):
                done += 1
                advance(done)
        pumping.join()
        if reader.wait() != 0:
            if writer.poll():
                raise BackupError(_psql_failed(writer, listening, psql_said))
            raise BackupError(
                "pg_restore failed, and the database was left as it was: "
                f"{' '.join(problems) or f'exit status {reader.returncode}'}"
            )
    except BaseException:
        # Before psql's input ends (which would commit): the server rolls the transaction back.
        for process in (writer, reader):
            process.kill()
            process.wait()
        raise
    with contextlib.suppress(OSError):  # psql has stopped already; its exit status says why
        into.close()
    if writer.wait() != 0:
        raise BackupError(_psql_failed(writer, listening, psql_said))


def _psql_failed(writer: subprocess.Popen, listening: threading.Thread, said: list[bytes]) -> str:
    writer.wait()
    listening.join()
    message = b"".join(said).decode(errors="replace").strip()
    return f"The restore failed, and the database was left as it was: {message}"
