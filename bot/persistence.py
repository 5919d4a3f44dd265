"""PTB persistence in the project's own database: people's data and conversation steps.

Only what the bot needs across a restart is kept: each person's small dictionary (their current
project, a join in progress) and the step of each conversation. Chat data, bot data and
PTB's callback data cache are not used: buttons carry their own data (see callback_data).
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session
from telegram.ext import BasePersistence, PersistenceInput

from bot import run_db
from voisinage import bot_state

ConversationKey = tuple[int, ...]

# The application also saves after every update (see app.VoisinageApplication); this interval
# only catches what changes outside updates, such as jobs.
UPDATE_INTERVAL = 30


def _save_states(session: Session, *, states: dict[tuple[str, str], Any]) -> None:
    for (kind, key), data in states.items():
        bot_state.save_state(session, kind=kind, key=key, data=data)


class DatabasePersistence(BasePersistence[dict, dict, dict]):
    """Keep user data and conversation states in the `bot_state` table.

    PTB hands over each changed piece separately; they are gathered and written together by
    `write_pending`, in one transaction, so that a person's conversation step is never saved
    without the data that step relies on.
    """

    def __init__(self, engine: Engine) -> None:
        super().__init__(
            store_data=PersistenceInput(
                bot_data=False, chat_data=False, user_data=True, callback_data=False
            ),
            update_interval=UPDATE_INTERVAL,
        )
        self._engine = engine
        # The latest data handed over, as JSON text by (kind, key): PTB hands over every
        # touched person's data after each update, and most updates change nothing.
        self._known: dict[tuple[str, str], str] = {}
        self._pending: dict[tuple[str, str], Any] = {}
        self._writing = asyncio.Lock()

    async def _load(self, kind: str) -> dict[str, Any]:
        states = await run_db.read(self._engine, bot_state.load_states, kind=kind)
        for key, data in states.items():
            self._known[(kind, key)] = json.dumps(data, sort_keys=True)
        return states

    async def _save(self, kind: str, key: str, data: Any) -> None:
        text = json.dumps(data, sort_keys=True)
        if self._known.get((kind, key), "null") != text:
            self._known[(kind, key)] = text
            self._pending[(kind, key)] = data

    async def write_pending(self) -> None:
        """Write what changed since the last call, all in one transaction."""
        async with self._writing:
            batch, self._pending = self._pending, {}
            if not batch:
                return
            try:
                await run_db.write(self._engine, _save_states, states=batch)
            except Exception:
                # Keep the batch for the next try, under anything newer handed over meanwhile.
                self._pending = {**batch, **self._pending}
                raise

    async def get_user_data(self) -> dict[int, dict]:
        states = await self._load(bot_state.USER_DATA)
        return {int(key): data for key, data in states.items()}

    async def get_conversations(self, name: str) -> dict[ConversationKey, object]:
        states = await self._load(bot_state.conversation_kind(name))
        return {tuple(int(part) for part in key.split(":")): state for key, state in states.items()}

    async def update_conversation(
        self, name: str, key: ConversationKey, new_state: object | None
    ) -> None:
        await self._save(bot_state.conversation_kind(name), bot_state.state_key(*key), new_state)

    async def update_user_data(self, user_id: int, data: dict) -> None:
        # An empty dictionary is stored as no row at all: after /forget nothing remains.
        await self._save(bot_state.USER_DATA, bot_state.state_key(user_id), data or None)

    async def drop_user_data(self, user_id: int) -> None:
        await self._save(bot_state.USER_DATA, bot_state.state_key(user_id), None)

    async def refresh_user_data(self, user_id: int, user_data: dict) -> None:
        """Do nothing: this process is the only writer, so its copy is the latest."""

    async def flush(self) -> None:
        await self.write_pending()

    # Not kept (see the module docstring): PTB still asks, so answer with nothing.

    async def get_chat_data(self) -> dict[int, dict]:
        return {}

    async def get_bot_data(self) -> dict:
        return {}

    async def get_callback_data(self) -> None:
        return None

    async def update_chat_data(self, chat_id: int, data: dict) -> None:
        """Do nothing: chat data is not kept."""

    async def update_bot_data(self, data: dict) -> None:
        """Do nothing: bot data is not kept."""

    async def update_callback_data(self, data: object) -> None:
        """Do nothing: PTB's callback data cache is not used."""

    async def drop_chat_data(self, chat_id: int) -> None:
        """Do nothing: chat data is not kept."""

    async def refresh_chat_data(self, chat_id: int, chat_data: dict) -> None:
        """Do nothing: chat data is not kept."""

    async def refresh_bot_data(self, bot_data: dict) -> None:
        """Do nothing: bot data is not kept."""
