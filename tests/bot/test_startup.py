"""Starting the bot process: what it checks and prepares before it talks to anyone."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from tests.bot.conftest import ROOT, BotProcess
from voisinage import i18n

pytestmark = pytest.mark.e2e


def _run(environ: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "bot"],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_bot_refuses_a_database_without_schema(sqlite_environ, tmp_path, telegram):
    result = _run({**sqlite_environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'empty.sqlite3'}"})
    assert (result.returncode, result.stderr.strip()) == (
        1,
        "voisinage: The database has no schema yet. Run: voisinage db upgrade",
    )
    assert telegram.calls == []


def test_bot_without_a_token_says_where_to_get_one(sqlite_environ, telegram):
    result = _run({**sqlite_environ, "TELEGRAM_BOT_TOKEN": ""})
    assert result.returncode == 1
    assert result.stderr.strip().endswith(
        "voisinage: TELEGRAM_BOT_TOKEN is not set: create a bot with @BotFather and set its token"
    )
    assert telegram.calls == []


async def test_bot_compiles_missing_catalogs_before_answering(sqlite_environ, tmp_path, telegram):
    locales = tmp_path / "locales"
    shutil.copytree(i18n.LOCALES_DIR, locales, ignore=shutil.ignore_patterns("*.mo"))
    bot = BotProcess(
        {**sqlite_environ, "VOISINAGE_LOCALES_DIR": str(locales)}, tmp_path / "log", telegram
    )
    await bot.start()
    try:
        assert sorted(p.parent.parent.name for p in locales.glob("*/LC_MESSAGES/*.mo")) == [
            "en",
            "fr",
        ]
        french = [
            c for c in telegram.calls_to("setMyCommands") if c.params.get("language_code") == "fr"
        ]
        assert french[0].params["commands"][0]["description"] == "Afficher votre menu"
    finally:
        assert bot.stop() == 0, bot.log_path.read_text()
