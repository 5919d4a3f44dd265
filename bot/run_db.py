"""Database work from the event loop: each call runs in a worker thread, in its own transaction.

A query must never hold up the loop that answers everyone else's buttons, and a transaction
must never stay open across an `await` on Telegram.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy.engine import Engine

from voisinage.db import read_session, unit_of_work

T = TypeVar("T")


async def read(engine: Engine, work: Callable[..., T], /, **kwargs: Any) -> T:
    """Return `work(session, **kwargs)`, run in a worker thread in a session that never commits."""

    def run() -> T:
        with read_session(engine) as session:
            return work(session, **kwargs)

    return await asyncio.to_thread(run)


async def write(engine: Engine, work: Callable[..., T], /, **kwargs: Any) -> T:
    """Return `work(session, **kwargs)`, run in a worker thread in one all-or-nothing transaction."""

    def run() -> T:
        with unit_of_work(engine) as session:
            return work(session, **kwargs)

    return await asyncio.to_thread(run)
