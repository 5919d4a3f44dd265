"""Updates per second through the bot's whole stack, against a bare echo bot in the same run.

Every bot long-polls the same fake Bot API over real HTTP (tests/fakes/telegram_api.py) and
answers a button press with answerCallbackQuery and editMessageText. The bare bot echoes the
button's data; ours opens a door of the demo project's menu for its facilitator: it looks the
person up in the database (SQLite) and saves its state, and the Summary door also computes the
project summary (voisinage.project_summary) and sends it as four more messages.
Both use AIORateLimiter with its limits off, so that Telegram's 30 messages a second do not
cap both figures alike.

    .venv/bin/python bench/bench_bot.py [--updates 400] [--rounds 5] [--write]

--write puts the figures in docs/benchmarks.md, between this script's markers.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from telegram import Update  # noqa: E402
from telegram.ext import AIORateLimiter, Application, CallbackQueryHandler, ContextTypes  # noqa: E402

from bot.app import ALLOWED_UPDATES, build_application  # noqa: E402
from bot.callback_data import encode  # noqa: E402
from tests.fakes.telegram_api import TOKEN, FakeTelegram, TelegramUser  # noqa: E402
from voisinage import db  # noqa: E402
from voisinage.config import Settings  # noqa: E402
from voisinage.demo import seed_demo  # noqa: E402

FACILITATOR_TELEGRAM_ID = 4242
BENCHMARKS_MD = ROOT / "docs" / "benchmarks.md"
BEGIN, END = "<!-- bench_bot:begin -->", "<!-- bench_bot:end -->"


def unlimited() -> AIORateLimiter:
    return AIORateLimiter(overall_max_rate=0, group_max_rate=0)


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    await query.answer()
    await query.edit_message_text(query.data)


def bare_bot(api: FakeTelegram) -> Application:
    application = (
        Application.builder()
        .token(TOKEN)
        .base_url(f"{api.base_url}/bot")
        .base_file_url(f"{api.base_url}/file/bot")
        .rate_limiter(unlimited())
        .build()
    )
    application.add_handler(CallbackQueryHandler(echo))
    return application


def prepare(workdir: Path, api: FakeTelegram) -> tuple[Settings, int]:
    """Create the demo project on SQLite with its facilitator on Telegram; return its id."""
    settings = Settings.from_env(
        {
            "DATABASE_URL": f"sqlite:///{workdir / 'bench.sqlite3'}",
            "SECRET_KEY": "bench",
            "INSTANCE_PATH": str(workdir),
            "DEFAULT_LANGUAGE": "fr",
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_BASE_URL": api.base_url,
        }
    )
    db.upgrade(settings.database_url)
    engine = db.make_engine(settings.database_url)
    with db.unit_of_work(engine) as session:
        demo = seed_demo(session)
        demo.facilitator.telegram_user_id = FACILITATOR_TELEGRAM_ID
        session.add(demo.facilitator)
    engine.dispose()
    return settings, demo.project.id


async def updates_per_second(
    application: Application, api: FakeTelegram, user: TelegramUser, data: str, count: int
) -> float:
    """Press the button `count` times at once; return how many presses the bot answered a second."""
    await application.initialize()
    await application.start()
    await application.updater.start_polling(timeout=1, allowed_updates=ALLOWED_UPDATES)
    try:
        target = api.answered("editMessageText") + count
        started = time.perf_counter()
        for _ in range(count):
            user.press_data(data, message_id=1)
        while api.answered("editMessageText") < target:
            await asyncio.sleep(0.005)
        return count / (time.perf_counter() - started)
    finally:
        await application.updater.stop()
        await application.stop()
        await application.shutdown()


ARMS = {
    "echo": "bare echo handler (PTB alone)",
    "main": "Voisinage, menu button (looks the person up, redraws the menu)",
    "summary": "Voisinage, Summary button (the project summary, four more messages)",
}


async def measure(updates: int, rounds: int) -> dict[str, list[float]]:
    figures: dict[str, list[float]] = {name: [] for name in ARMS}
    with tempfile.TemporaryDirectory() as tmp, FakeTelegram() as api:
        settings, project_id = prepare(Path(tmp), api)
        user = TelegramUser(api, user_id=FACILITATOR_TELEGRAM_ID, first_name="Camille")

        def ours() -> Application:
            return build_application(settings, rate_limiter=unlimited())

        arms: dict[str, tuple[Callable[[], Application], str]] = {
            "echo": (lambda: bare_bot(api), encode("menu", project_id, "main")),
            "main": (ours, encode("menu", project_id, "main")),
            "summary": (ours, encode("menu", project_id, "summary")),
        }
        # One warm-up round each, then the rounds proper, alternating so that any drift of the
        # machine weighs on every arm alike.
        for make, data in arms.values():
            await updates_per_second(make(), api, user, data, max(updates // 10, 10))
        for _ in range(rounds):
            for name, (make, data) in arms.items():
                figures[name].append(await updates_per_second(make(), api, user, data, updates))
    return figures


def report(figures: dict[str, list[float]], updates: int, rounds: int) -> str:
    medians = {name: statistics.median(values) for name, values in figures.items()}
    rows = [
        f"| {ARMS[name]} | {medians[name]:.0f} | {medians[name] / medians['echo']:.2f} | "
        + ", ".join(f"{x:.0f}" for x in figures[name])
        + " |"
        for name in ARMS
    ]
    return "\n".join(
        [
            BEGIN,
            "## Telegram bot: updates per second (`bench/bench_bot.py`)",
            "",
            f"A facilitator of the demo project (12 households) presses a button {updates} "
            "times at once. The bot long-polls a local fake Bot API over HTTP (in the same "
            "process), and for each press answers it and edits the message. Ours looks the "
            "person up in the database (SQLite) and checks their rights, saves its state, and "
            "for the Summary computes the project summary and sends its four sections as "
            "four more messages; the baseline is a "
            "bare PTB bot that echoes the button's data. All arms in the same run, alternating; "
            f"median of {rounds} rounds.",
            "",
            "| bot | updates/s | ratio | rounds |",
            "| --- | ---: | ---: | --- |",
            *rows,
            "",
            "Aim: ratio at least 0.5, i.e. our work per update costs no more than the "
            "framework's own. Besides the two Bot API calls every arm makes, ours makes one "
            "database read per press in a worker thread (the person's memberships), and the "
            "Summary the project summary (a fixed number of queries, about twenty-five) and "
            "four more sendMessage calls: five Bot API messages a press where the others make "
            "one, so the aim is for the menu button; the Summary's own cost is measured in "
            "`bench/bench_dashboard.py`.",
            "",
            f"Measured {datetime.now(UTC):%Y-%m-%d} on {platform.machine()}, "
            f"{os.cpu_count()} CPUs shared by the bot and the fake API, "
            f"Python {platform.python_version()}, {platform.system()} {platform.release()}; "
            f"load average {os.getloadavg()[0]:.1f} at the end of the run.",
            END,
        ]
    )


def write(section: str) -> None:
    """Put `section` in docs/benchmarks.md, replacing this script's previous figures."""
    text = BENCHMARKS_MD.read_text() if BENCHMARKS_MD.exists() else "# Benchmarks\n"
    if BEGIN in text and END in text:
        before, rest = text.split(BEGIN, 1)
        text = before + section + rest.split(END, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    BENCHMARKS_MD.write_text(text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--updates", type=int, default=400)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--write", action="store_true", help="update docs/benchmarks.md")
    args = parser.parse_args()
    figures = asyncio.run(measure(args.updates, args.rounds))
    section = report(figures, args.updates, args.rounds)
    print(section)
    if args.write:
        write(section)


if __name__ == "__main__":
    main()
