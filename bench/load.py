"""Many signed-in users at once against the real server (`lachealth serve`: gunicorn, DEBUG
off) on the demo, each going round the worklist, the child list and a child's page from
that list with no pause: throughput, p50/p95/p99 and errors. Target p95 < 1 s and no
error. Prints figures; asserts nothing about time.

BENCH_LOAD_USERS (default 50) and BENCH_LOAD_SECONDS (default 60) size the run. gunicorn's
worker count is WEB_CONCURRENCY, else `lachealth serve`'s own default. The users sign in as
people do, password then the authenticator's code; the client runs on the same machine as
the server and shares its CPUs.
"""

from __future__ import annotations

import os
import random
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.cookiejar import CookieJar, DefaultCookiePolicy
from pathlib import Path

from tqdm import tqdm

from common import machine_load, percentile, setup_django

USERS = int(os.environ.get("BENCH_LOAD_USERS", "50"))
SECONDS = float(os.environ.get("BENCH_LOAD_SECONDS", "60"))
TARGET_MS = 1000
PAGES = ("worklist", "child list", "child's page")
LACHEALTH = Path(sys.executable).parent / "lachealth"
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
CHILD_LINK = re.compile(r'href="/children/(\d+)/"')
TIMEOUT = 60  # seconds a request may take before it counts as an error


def main() -> None:
    label = os.environ.get("BENCH_DB_LABEL", "SQLite")
    with demo_server() as (base, server, accounts, workers):
        sessions = sign_in_all(base, accounts)
        before = cpu_seconds(server.pid)
        results, elapsed = run_load(base, sessions)
        cpu = [after - began for after, began in zip(cpu_seconds(server.pid), before, strict=True)]
        load = machine_load()  # the server's and the client's work, and anything else's
    report(label, results, elapsed, sessions, accounts, workers, load, cpu)


@contextmanager
def demo_server() -> Iterator[tuple[str, subprocess.Popen[bytes], list[Account], str]]:
    """The demo loaded into its own database and served by `lachealth serve` as production
    runs it: its base URL, the server process, the accounts that open the worklist, the
    child list and a child's page, and gunicorn's worker count. The server's environment is
    `SERVER_ENV`, for other commands to share its database."""
    home = Path(tempfile.mkdtemp(prefix="lachealth-bench-load-"))
    database = os.environ.get("DATABASE_URL") or f"sqlite:///{home}/load.sqlite3"
    # What production runs with (no DEBUG, no test settings), but with its own secret key and
    # var/ folder; the client stands in for the TLS proxy by saying X-Forwarded-Proto: https.
    env = {k: v for k, v in os.environ.items() if k not in ("LACHEALTH_DEBUG", "LACHEALTH_TESTING")}
    env |= {
        "DATABASE_URL": database,
        "LACHEALTH_VAR": str(home),
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
    }
    # Only a DEBUG run may load the demo; its passwords are then hashed as production's are.
    demo_env = env | {"LACHEALTH_DEBUG": "1"}
    subprocess.run([LACHEALTH, "migrate", "--noinput", "-v", "0"], env=demo_env, check=True)
    subprocess.run([LACHEALTH, "demo"], env=demo_env, check=True, stdout=subprocess.DEVNULL)
    subprocess.run([LACHEALTH, "collectstatic", "--noinput", "-v", "0"], env=env, check=True)

    os.environ["DATABASE_URL"] = database
    SERVER_ENV.update(env)
    setup_django()
    accounts, workers = demo_accounts()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = home / "server.log"
    with open(log, "wb") as out:
        server = subprocess.Popen(
            [LACHEALTH, "serve", "--bind", f"127.0.0.1:{port}"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, so gunicorn's workers stop with it
        )
    try:
        wait_for_health(base, server, log)
        yield base, server, accounts, workers
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        shutil.rmtree(home, ignore_errors=True)


#: The environment `demo_server` runs the server with (its database, secret key, var/).
SERVER_ENV: dict[str, str] = {}


@dataclass(frozen=True)
class Account:
    """A demo account: its password and its authenticator's settings."""

    username: str
    password: str
    key: bytes
    step: int
    t0: int
    digits: int

    def code_now(self) -> tuple[str, int]:
        """The code the authenticator shows now, and its time step."""
        from django_otp.oath import TOTP

        authenticator = TOTP(self.key, self.step, self.t0, self.digits)
        authenticator.time = time.time()
        return f"{authenticator.token():0{self.digits}d}", authenticator.t()


def demo_accounts() -> tuple[list[Account], str]:
    """The demo's accounts that open all three pages (the LAC health teams' and the
    designated nurse's), and gunicorn's worker count as `lachealth serve` works it out."""
    from django.db import connection
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from lachealth.demo.management.commands.demo import DEMO_PASSWORD
    from lachealth.people import access
    from lachealth.people.management.commands.serve import default_workers
    from lachealth.people.models import User

    accounts = []
    for user in User.objects.filter(is_demo=True).order_by("username"):
        if access.can_see_children(user) and access.areas_for(user, access.HEALTH_CHILD_ROLES):
            device = TOTPDevice.objects.get(user=user, confirmed=True)
            accounts.append(
                Account(
                    user.username,
                    DEMO_PASSWORD,
                    device.bin_key,
                    device.step,
                    device.t0,
                    device.digits,
                )
            )
    connection.close()
    count = default_workers(os.environ, os.cpu_count())
    given = os.environ.get("WEB_CONCURRENCY", "").strip()
    how = f"WEB_CONCURRENCY={given}" if given else f"default for {os.cpu_count()} CPUs"
    return accounts, f"{count} ({how})"


def cpu_seconds(server_group: int) -> tuple[float, float]:
    """CPU time used so far by the server (every process of its group: gunicorn and its
    workers) and by this client, from /proc: where the machine's two CPUs went."""
    tick = os.sysconf("SC_CLK_TCK")
    server = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # the process ended meanwhile
            continue
        if int(fields[2]) == server_group:  # fields[2] is the process group
            server += (int(fields[11]) + int(fields[12])) / tick  # utime + stime
    client = os.times()
    return server, client.user + client.system


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def browser() -> urllib.request.OpenerDirector:
    """One user's browser: its own cookies (the session's are Secure, as behind TLS) and
    the header the TLS proxy would add."""
    jar = CookieJar(DefaultCookiePolicy(secure_protocols=("https", "wss", "http")))
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.addheaders = [("X-Forwarded-Proto", "https"), ("User-Agent", "lachealth-bench")]
    return opener


def wait_for_health(base: str, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"lachealth serve stopped (exit {server.returncode}):\n{log.read_text()}")
        try:
            with browser().open(base + "/health", timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.2)
    sys.exit(f"lachealth serve did not answer /health within 60 s:\n{log.read_text()}")


@dataclass
class Session:
    account: Account
    opener: urllib.request.OpenerDirector
    children: list[str] = field(default_factory=list)


def sign_in_all(base: str, accounts: list[Account]) -> list[Session]:
    """Sign in USERS sessions, the accounts in turn. django-otp takes each code once per
    account, so an account's next session waits for the next code, as a person's would."""
    sessions: list[Session] = []
    bar = tqdm(total=USERS, desc="Signing in", unit="user", file=sys.stderr)
    last_step = -1
    with ThreadPoolExecutor(max_workers=len(accounts)) as pool:
        while len(sessions) < USERS:
            batch = accounts[: USERS - len(sessions)]
            while batch[0].code_now()[1] <= last_step:
                time.sleep(0.2)
            for session, step in pool.map(lambda a: sign_in(base, a), batch):
                sessions.append(session)
                last_step = max(last_step, step)
                bar.update(1)
    bar.close()
    return sessions


def sign_in(base: str, account: Account) -> tuple[Session, int]:
    """Password, then the code the authenticator shows now; then the child list, for the
    children this user may open. Returns the session and the code's time step."""
    opener = browser()
    origin = base.replace("http://", "https://")
    page = get(opener, base + "/sign-in/")
    page = post(
        opener,
        base + "/sign-in/",
        origin,
        page,
        username=account.username,
        password=account.password,
    )
    code, step = account.code_now()
    page = post(opener, base + "/sign-in/code/", origin, page, code=code)
    if "/sign-in/" in page[1]:
        raise RuntimeError(f"{account.username} was not signed in: ended on {page[1]}")
    children = CHILD_LINK.findall(get(opener, base + "/children/")[0])
    if not children:
        raise RuntimeError(f"{account.username} sees no children on the child list")
    return Session(account, opener, [f"/children/{pk}/" for pk in children]), step


def get(opener: urllib.request.OpenerDirector, url: str) -> tuple[str, str]:
    with opener.open(url, timeout=TIMEOUT) as response:
        return response.read().decode(), urllib.parse.urlsplit(response.url).path


def post(
    opener: urllib.request.OpenerDirector,
    url: str,
    origin: str,
    form_page: tuple[str, str],
    **fields: str,
) -> tuple[str, str]:
    """Submit the form on `form_page` (its CSRF token included), following the redirect."""
    found = CSRF_INPUT.search(form_page[0])
    if found is None:
        raise RuntimeError(f"no form on {form_page[1]}")
    data = urllib.parse.urlencode({"csrfmiddlewaretoken": found.group(1), **fields}).encode()
    request = urllib.request.Request(url, data=data, headers={"Origin": origin})
    with opener.open(request, timeout=TIMEOUT) as response:
        return response.read().decode(), urllib.parse.urlsplit(response.url).path


@dataclass(frozen=True)
class Result:
    page: str
    ms: float
    error: str | None


def run_load(base: str, sessions: list[Session]) -> tuple[list[Result], float]:
    """Every session at once, round and round its three pages until the time is up."""
    start = time.monotonic() + 0.5  # all begin together
    deadline = start + SECONDS

    def user(index: int) -> list[Result]:
        session = sessions[index]
        rng = random.Random(index)
        results = []
        while time.monotonic() < start:
            time.sleep(0.01)
        while time.monotonic() < deadline:
            paths = ["/worklist/", "/children/", rng.choice(session.children)]
            for page, path in zip(PAGES, paths, strict=True):
                results.append(timed(session.opener, base, page, path))
        return results

    progress = tqdm(total=round(SECONDS), desc="Under load", unit="s", file=sys.stderr)
    with ThreadPoolExecutor(max_workers=len(sessions)) as pool:
        futures = [pool.submit(user, i) for i in range(len(sessions))]
        while not all(f.done() for f in futures):
            time.sleep(1)
            progress.n = min(round(time.monotonic() - start), round(SECONDS))
            progress.refresh()
        results = [r for f in futures for r in f.result()]
    progress.close()
    return results, time.monotonic() - start


def timed(opener: urllib.request.OpenerDirector, base: str, page: str, path: str) -> Result:
    began = time.perf_counter()
    error: str | None = None
    try:
        with opener.open(base + path, timeout=TIMEOUT) as response:
            response.read()
            ended_on = urllib.parse.urlsplit(response.url).path
            if ended_on != path:
                error = f"{page}: sent on to {ended_on}"
    except urllib.error.HTTPError as exc:
        error = f"{page}: HTTP {exc.code}"
    except Exception as exc:  # any failure to get the page is an error to count, not a crash
        error = f"{page}: {type(exc).__name__} {getattr(exc, 'reason', exc)}"
    return Result(page, (time.perf_counter() - began) * 1000, error)


def report(
    label: str,
    results: list[Result],
    elapsed: float,
    sessions: list[Session],
    accounts: list[Account],
    workers: str,
    load: str,
    cpu: list[float],
) -> None:
    used = len({s.account.username for s in sessions})
    reuse = (
        f"{used} demo accounts, each signed in up to {-(-len(sessions) // used)} times "
        f"(the demo has {len(accounts)} accounts that open all three pages)"
        if len(sessions) > used
        else f"{used} distinct demo accounts"
    )
    print(
        f"[{label}] {len(sessions)} users at once for {SECONDS:g} s: {reuse}; "
        f"gunicorn workers: {workers}; at the end, {load}"
    )
    errors = Counter(r.error for r in results if r.error)
    times = sorted(r.ms for r in results)
    met = percentile(times, 95) < TARGET_MS and not errors
    print(
        f"[{label}] {len(results)} requests, {len(results) / elapsed:.1f} requests/s, "
        f"{spread(times)}, {sum(errors.values())} errors "
        f"(target p95 < {TARGET_MS} ms and no error: {'met' if met else 'NOT met'})"
    )
    server_cpu, client_cpu = cpu
    each = server_cpu * 1000 / max(len(results), 1)
    print(
        f"[{label}] CPU used: server {server_cpu:.1f} s ({each:.0f} ms "
        f"a request), client {client_cpu:.1f} s, of {elapsed * (os.cpu_count() or 1):.0f} s "
        "the machine had"
    )
    for page in PAGES:
        taken = sorted(r.ms for r in results if r.page == page)
        print(f"[{label}]   {page}: {len(taken)} requests, {spread(taken)}")
    for kind, count in errors.most_common():
        print(f"[{label}]   error: {count} × {kind}")


def spread(ordered: list[float]) -> str:
    if not ordered:
        return "no answers"
    return ", ".join(
        [f"p{p} {percentile(ordered, p):.0f} ms" for p in (50, 95, 99)]
        + [f"max {ordered[-1]:.0f} ms"]
    )


if __name__ == "__main__":
    main()
