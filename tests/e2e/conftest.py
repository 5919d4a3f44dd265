"""Debian's Chromium, driven by Playwright, against the app served on loopback."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from voisinage.config import Settings
from voisinage.db import unit_of_work
from voisinage.demo import DemoProject, seed_demo
from voisinage.tokens import issue_login_token
from webforms import create_app
from webforms.db import get_engine

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(__file__).parents[1] / "screenshots"


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the whole session; never a downloaded browser build."""
    if not CHROMIUM.exists():
        pytest.skip("Debian's Chromium is not installed: apt-get install chromium (.ci/run does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@dataclass
class LiveServer:
    url: str
    settings: Settings

    def login_url(self, member_id: int, engine) -> str:
        with unit_of_work(engine) as session:
            token = issue_login_token(
                session, member_id=member_id, secret_key=self.settings.secret_key
            )
        return f"{self.url}/login/{token}"


@pytest.fixture
def live_server(environ) -> Iterator[LiveServer]:
    """Serve the app on a free loopback port, with PUBLIC_URL naming that port."""
    server = make_server("127.0.0.1", 0, app=None, threaded=True)
    url = f"http://127.0.0.1:{server.server_port}"
    settings = Settings.from_env({**environ, "PUBLIC_URL": url})
    server.app = create_app(settings)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield LiveServer(url=url, settings=settings)
    server.shutdown()
    thread.join(timeout=10)
    get_engine(server.app).dispose()


@pytest.fixture
def demo(engine) -> DemoProject:
    """The demo project "Les Voisins du Quai": French, twelve households."""
    with unit_of_work(engine) as session:
        return seed_demo(session)


@pytest.fixture
def console_errors() -> list[str]:
    return []


@pytest.fixture
def new_page(browser, console_errors):
    """Open pages in fresh contexts (own cookies), recording console errors and page crashes."""
    contexts = []

    def open_page(**context_options):
        context = browser.new_context(**{"locale": "fr-FR", **context_options})
        contexts.append(context)
        page = context.new_page()
        page.on(
            "console",
            lambda message: (
                console_errors.append(f"{page.url}: {message.text}")
                if message.type == "error"
                else None
            ),
        )
        page.on("pageerror", lambda error: console_errors.append(f"{page.url}: {error}"))
        return page

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def screenshot(request):
    """Save a full-page screenshot under tests/screenshots/ (git-ignored)."""
    SCREENSHOTS.mkdir(exist_ok=True)
    name = request.node.name.replace("[", "-").replace("]", "")

    def take(page, step: str) -> Path:
        path = SCREENSHOTS / f"{name}-{step}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
