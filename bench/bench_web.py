"""Requests per second of two web pages under gunicorn, as ratios to a bare Flask route.

Runs on loopback: a gunicorn serving the app (resident home page, facilitator members page)
and a gunicorn serving a one-line Flask "hello" app, with the same workers and threads (those
of the Procfile), both loaded by the same client processes in alternating rounds, so that the
ratios hold on any machine. Before that, each page is also timed in this process through
Flask's test client (the CPU time of one request, best of many): what the application itself
costs, without gunicorn, the network and the clients. Usage:

    .venv/bin/python bench/bench_web.py [--households 60] [--seconds 5] [--rounds 3]
        [--database-url postgresql://…] [--write docs/benchmarks.md] [--in-process]
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

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as a script, the bench package still imports

import httpx  # noqa: E402
from flask import Flask  # noqa: E402
from flask.testing import FlaskClient  # noqa: E402
from sqlmodel import func, select  # noqa: E402

from bench.report import write_section  # noqa: E402
from voisinage import db  # noqa: E402
from voisinage.config import Settings, normalise_database_url  # noqa: E402
from voisinage.demo import seed_demo  # noqa: E402
from voisinage.models import Member  # noqa: E402
from voisinage.people import add_member  # noqa: E402
from voisinage.projects import add_household  # noqa: E402
from voisinage.tokens import issue_login_token  # noqa: E402
from webforms import create_app  # noqa: E402
from webforms.db import get_engine  # noqa: E402

# As the Procfile: WEB_CONCURRENCY's default, and 4 threads.
WORKERS = 2
THREADS = 4
AIM = 0.5
BASELINE = "bare Flask hello"
# Each page, with who reads it.
PAGES = {
    "resident home page": ("resident", "/p/{slug}/"),
    "facilitator members page": ("facilitator", "/p/{slug}/members"),
}
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


def _seed(settings: Settings, households: int) -> tuple[str, dict[str, int], int]:
    """Create the demo project grown to `households` households; return its slug, the member
    id of its resident and of its facilitator, and its number of members."""
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
        readers = {"resident": demo.resident.id, "facilitator": demo.facilitator.id}
        members = session.exec(
            select(func.count()).select_from(Member).where(Member.project_id == demo.project.id)
        ).one()
    engine.dispose()
    return demo.project.slug, readers, members


def _login_tokens(settings: Settings, member_ids: dict[str, int]) -> dict[str, str]:
    """Return a sign-in link token for each member (each can be used once)."""
    engine = db.make_engine(settings.database_url)
    with db.unit_of_work(engine) as session:
        tokens = {
            reader: issue_login_token(session, member_id=member_id, secret_key=settings.secret_key)
            for reader, member_id in member_ids.items()
        }
    engine.dispose()
    return tokens


def _sign_in(client: FlaskClient | httpx.Client, token: str) -> None:
    """Sign in through the real pages (GET the link, POST its button), keeping the cookie."""
    page = client.get(f"/login/{token}")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    response = client.post(f"/login/{token}", data={"csrf_token": csrf})
    assert response.status_code == 302, response.status_code


def cpu_per_request(client: FlaskClient, path: str, *, batches: int = 40, size: int = 10) -> float:
    """Return the CPU time in ms of one GET `path` through Flask's test client, best of `batches`.

    CPU time of this thread, so that other processes on the machine count for little.
    """
    for _ in range(size):
        assert client.get(path).status_code == 200, path
    best = float("inf")
    for _ in range(batches):
        start = time.thread_time()
        for _ in range(size):
            client.get(path)
        best = min(best, (time.thread_time() - start) / size)
    return best * 1000


def _in_process(settings: Settings, readers: dict[str, int], slug: str) -> dict[str, float]:
    """Return the CPU time of one request to each page, in ms, through Flask's test client."""
    app = create_app(settings)
    tokens = _login_tokens(settings, readers)
    costs = {BASELINE: cpu_per_request(hello_app().test_client(), "/hello")}
    for name, (reader, path) in PAGES.items():
        client = app.test_client()
        _sign_in(client, tokens[reader])
        costs[name] = cpu_per_request(client, path.format(slug=slug))
    get_engine(app).dispose()
    return costs


def _session_cookie(base_url: str, token: str) -> str:
    """Sign in through the real pages (GET the link, POST its button) and return the cookie."""
    with httpx.Client(base_url=base_url) as client:
        _sign_in(client, token)
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
    parser.add_argument(
        "--in-process",
        action="store_true",
        help="Only time the pages in this process; no gunicorn.",
    )
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
        slug, readers, members = _seed(settings, args.households)
        costs = _in_process(settings, readers, slug)
        if args.in_process:
            for name, cost in costs.items():
                print(f"{name}: {cost:.2f} ms, ratio {costs[BASELINE] / cost:.2f}")
            return
        tokens = _login_tokens(settings, readers)
        app_port, hello_port = _free_port(), _free_port()
        servers = [
            _gunicorn("webforms:create_app()", app_port, env),
            _gunicorn("bench.bench_web:hello_app()", hello_port, env),
        ]
        try:
            app_url, hello_url = f"http://127.0.0.1:{app_port}", f"http://127.0.0.1:{hello_port}"
            _wait_ready(f"{app_url}/healthz")
            _wait_ready(f"{hello_url}/hello")
            targets = {BASELINE: (f"{hello_url}/hello", "")}
            for name, (reader, path) in PAGES.items():
                cookie = _session_cookie(app_url, tokens[reader])
                targets[name] = (app_url + path.format(slug=slug), cookie)
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
    load_after = os.getloadavg()[0]

    medians = {name: statistics.median(values) for name, values in rates.items()}
    baseline = medians[BASELINE]
    missed = [name for name, rate in medians.items() if rate / baseline < AIM]
    verdict = f"not met by the {' and the '.join(missed)} (see docs/web.md)" if missed else "met"
    database = "PostgreSQL" if "postgresql" in env["DATABASE_URL"] else "SQLite"
    lines = [
        MARK_BEGIN,
        "## Web forms (`bench/bench_web.py`)",
        "",
        f"gunicorn, {WORKERS} workers × {THREADS} threads (as the Procfile), on loopback; "
        f"{args.clients} client processes with keep-alive; median of {args.rounds} rounds of "
        f"{args.seconds:g} s, the arms alternating; {database}; demo project grown to "
        f"{args.households} households, {members} members; {os.cpu_count()} CPUs shared by "
        "clients and servers. In process: the CPU time of one request through Flask's test "
        "client (best of 40 batches of 10), without gunicorn, the network or the clients.",
        "",
        "| page | requests/s | ratio to bare Flask | rounds | in process, ms | in-process ratio |",
        "| --- | ---: | ---: | --- | ---: | ---: |",
        *(
            f"| {name} | {rate:.0f} | {rate / baseline:.2f} | "
            f"{', '.join(f'{r:.0f}' for r in rates[name])} | {costs[name]:.2f} | "
            f"{costs[BASELINE] / costs[name]:.2f} |"
            for name, rate in medians.items()
        ),
        "",
        f"Aim: ratio ≥ {AIM}; {verdict}. Load average: {load:.1f} when the run started, "
        f"{load_after:.1f} when it ended.",
        "SQL queries per page are counted, and shown constant in the number of members, by",
        "`tests/webforms/test_queries.py`.",
        MARK_END,
    ]
    report = "\n".join(lines)
    print(report)
    if args.write:
        write_section(args.write, report, MARK_BEGIN, MARK_END)


if __name__ == "__main__":
    main()
