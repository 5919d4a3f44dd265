"""Requests per second of two web pages under gunicorn, as ratios to a bare Flask route.

Runs on loopback: a gunicorn serving the app (resident home page, facilitator members page)
and a gunicorn serving a one-line Flask "hello" app, with the same workers and threads, both
loaded by the same client processes in alternating rounds, so that the ratios hold on any
machine. Usage:

    .venv/bin/python bench/bench_web.py [--households 60] [--seconds 5] [--rounds 3]
        [--database-url postgresql://…] [--write docs/benchmarks.md]
"""

from __future__ import annotations

import argparse
import http.client
import multiprocessing
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

import httpx
from flask import Flask
from sqlmodel import func, select

from voisinage import db
from voisinage.config import Settings, normalise_database_url
from voisinage.demo import seed_demo
from voisinage.models import Member
from voisinage.people import add_member
from voisinage.projects import add_household
from voisinage.tokens import issue_login_token

ROOT = Path(__file__).resolve().parent.parent

WORKERS = 2
THREADS = 4
AIM = 0.5
MARK_BEGIN = "<!-- bench_web: begin -->"
MARK_END = "<!-- bench_web: end -->"


def hello_app() -> Flask:
    """Return the baseline: Flask answering a constant string, nothing else."""
    app = Flask(__name__)

    @app.get("/hello")
    def hello() -> str:
        return "Hello"

    return app


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _gunicorn(app: str, port: int, env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(WORKERS),
            "--threads",
            str(THREADS),
            "--chdir",
            str(ROOT),
            "--log-level",
            "warning",
            app,
        ],
        env=env,
    )


def _wait_ready(url: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            httpx.get(url, timeout=1.0)
            return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {timeout} s")


def _seed(settings: Settings, households: int) -> tuple[str, str, str, int]:
    """Create the demo project grown to `households` households; return its slug, two sign-in
    tokens (resident, facilitator) and the number of members."""
    db.upgrade(settings.database_url)
    engine = db.make_engine(settings.database_url)
    with db.unit_of_work(engine) as session:
        demo = seed_demo(session)
        for number in range(households - 12):
            household = add_household(session, project_id=demo.project.id, name=f"Foyer {number}")
            for person in ("A", "B"):
                add_member(
                    session,
                    project_id=demo.project.id,
                    display_name=f"{person} {number}",
                    household_id=household.id,
                )
        tokens = [
            issue_login_token(session, member_id=member.id, secret_key=settings.secret_key)
            for member in (demo.resident, demo.facilitator)
        ]
        members = session.exec(
            select(func.count()).select_from(Member).where(Member.project_id == demo.project.id)
        ).one()
    engine.dispose()
    return demo.project.slug, tokens[0], tokens[1], members


def _session_cookie(base_url: str, token: str) -> str:
    """Sign in through the real pages (GET the link, POST its button) and return the cookie."""
    with httpx.Client(base_url=base_url) as client:
        page = client.get(f"/login/{token}")
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        response = client.post(f"/login/{token}", data={"csrf_token": csrf})
        assert response.status_code == 302, response.status_code
        return f"session={client.cookies['session']}"


def _client(url: str, cookie: str, seconds: float, results) -> None:
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    headers = {"Cookie": cookie} if cookie else {}
    done = errors = 0
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            connection.request("GET", parts.path, headers=headers)
            response = connection.getresponse()
            response.read()
            if response.status == 200:
                done += 1
            else:
                errors += 1
        except (OSError, http.client.HTTPException):
            errors += 1
            connection.close()
            connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    results.put((done, errors))


def measure(url: str, cookie: str, *, seconds: float, clients: int) -> float:
    """Return successful requests per second of GET `url`, with `clients` processes."""
    results = multiprocessing.Queue()
    processes = [
        multiprocessing.Process(target=_client, args=(url, cookie, seconds, results))
        for _ in range(clients)
    ]
    for process in processes:
        process.start()
    totals = [results.get() for _ in processes]
    for process in processes:
        process.join()
    errors = sum(e for _, e in totals)
    if errors:
        raise RuntimeError(f"{errors} failed requests on {url}")
    return sum(d for d, _ in totals) / seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=60)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--database-url", help="Default: a SQLite file in a temporary folder.")
    parser.add_argument("--write", type=Path, help="Put the results in this Markdown file.")
    args = parser.parse_args()

    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            **os.environ,
            "DATABASE_URL": normalise_database_url(
                args.database_url or f"sqlite:///{tmp}/bench.sqlite3"
            ),
            "SECRET_KEY": "bench-secret-key",
            "INSTANCE_PATH": tmp,
            "PUBLIC_URL": "http://127.0.0.1",
        }
        settings = Settings.from_env(env)
        slug, resident_token, facilitator_token, members = _seed(settings, args.households)
        app_port, hello_port = _free_port(), _free_port()
        servers = [
            _gunicorn("webforms:create_app()", app_port, env),
            _gunicorn("bench.bench_web:hello_app()", hello_port, env),
        ]
        try:
            app_url, hello_url = f"http://127.0.0.1:{app_port}", f"http://127.0.0.1:{hello_port}"
            _wait_ready(f"{app_url}/healthz")
            _wait_ready(f"{hello_url}/hello")
            targets = {
                "bare Flask hello": (f"{hello_url}/hello", ""),
                "resident home page": (
                    f"{app_url}/p/{slug}/",
                    _session_cookie(app_url, resident_token),
                ),
                "facilitator members page": (
                    f"{app_url}/p/{slug}/members",
                    _session_cookie(app_url, facilitator_token),
                ),
            }
            for url, cookie in targets.values():  # warm up every worker
                measure(url, cookie, seconds=1.0, clients=args.clients)
            rates: dict[str, list[float]] = {name: [] for name in targets}
            for _ in range(args.rounds):
                for name, (url, cookie) in targets.items():
                    rates[name].append(
                        measure(url, cookie, seconds=args.seconds, clients=args.clients)
                    )
        finally:
            for server in servers:
                server.terminate()
                server.wait(timeout=30)

    medians = {name: statistics.median(values) for name, values in rates.items()}
    baseline = medians["bare Flask hello"]
    missed = [name for name, rate in medians.items() if rate / baseline < AIM]
    verdict = f"not met by the {' and the '.join(missed)} (see docs/web.md)" if missed else "met"
    database = "PostgreSQL" if "postgresql" in env["DATABASE_URL"] else "SQLite"
    lines = [
        MARK_BEGIN,
        "## Web forms (`bench/bench_web.py`)",
        "",
        f"gunicorn, {WORKERS} workers × {THREADS} threads, on loopback; {args.clients} client "
        f"processes with keep-alive; median of {args.rounds} rounds of {args.seconds:g} s; "
        f"{database}; demo project grown to {args.households} households, {members} members; "
        f"{os.cpu_count()} CPUs shared by clients and servers.",
        "",
        "| page | requests/s | ratio to bare Flask |",
        "| --- | ---: | ---: |",
        *(f"| {name} | {rate:.0f} | {rate / baseline:.2f} |" for name, rate in medians.items()),
        "",
        f"Aim: ratio ≥ {AIM}; {verdict}. Load average when the run started: {load:.1f}.",
        "SQL queries per page are counted, and shown constant in the number of members, by",
        "`tests/webforms/test_queries.py`.",
        MARK_END,
    ]
    report = "\n".join(lines)
    print(report)
    if args.write:
        _write_section(args.write, report)


def _write_section(path: Path, section: str) -> None:
    """Replace this benchmark's section of `path` (or append it), leaving the rest alone."""
    text = path.read_text() if path.exists() else "# Benchmarks\n"
    if MARK_BEGIN in text and MARK_END in text:
        before, rest = text.split(MARK_BEGIN, 1)
        after = rest.split(MARK_END, 1)[1]
        text = before + section + after
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    path.write_text(text)


if __name__ == "__main__":
    main()
