"""`voisinage demo` on a fresh machine: it sets up the database, prints links and serves them."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time

import httpx


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_demo_on_an_empty_instance_serves_the_printed_links(tmp_path):
    port = _free_port()
    env = {
        **os.environ,
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "PUBLIC_URL": f"http://127.0.0.1:{port}",
        "LANG": "C.UTF-8",
    }
    for variable in ("DATABASE_URL", "SECRET_KEY", "TELEGRAM_BOT_TOKEN"):
        env.pop(variable, None)
    demo = subprocess.Popen(
        [sys.executable, "-m", "voisinage", "demo", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        lines = [demo.stdout.readline() for _ in range(4)]
        facilitator_url = lines[1].rsplit(" ", 1)[1].strip()
        assert facilitator_url.startswith(f"http://127.0.0.1:{port}/login/")
        deadline = time.monotonic() + 30
        while True:
            try:
                health = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, demo.stderr.read()
                time.sleep(0.2)
        assert health.status_code == 200
        page = httpx.get(facilitator_url, timeout=5)
        assert page.status_code == 200
        assert "Camille Roussel (AMO)" in page.text
    finally:
        demo.terminate()
        demo.wait(timeout=10)
    assert (tmp_path / "instance" / "voisinage.sqlite3").exists()
    assert (tmp_path / "instance" / "secret_key").exists()
