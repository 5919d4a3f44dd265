"""A fake Telegram Bot API server on 127.0.0.1, and scripted Telegram users to talk to the bot.

The server is real HTTP, so the bot's whole stack (PTB, httpx, the rate limiter) runs as in
production. It answers the methods the bot uses, records every call (refused ones too), serves
getUpdates from a queue the tests fill, with Telegram's offset rules, and can answer a method
with 429 and a retry_after, as Telegram's flood control does.
"""

from __future__ import annotations

import asyncio
import email.parser
import email.policy
import itertools
import json
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

TOKEN = "123456789:TEST-fake-token-for-voisinage"
BOT = {
    "id": 123456789,
    "is_bot": True,
    "first_name": "Voisinage",
    "username": "voisinage_test_bot",
    "can_join_groups": True,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}
# What a person sees: the calls that put something in a chat.
OUTGOING = frozenset({"sendMessage", "editMessageText", "sendDocument", "sendPhoto"})
# Parameters PTB sends as plain strings; every other one is JSON.
STRING_PARAMS = frozenset(
    {"text", "caption", "callback_query_id", "url", "secret_token", "language_code", "parse_mode"}
)
# A long poll returns empty after this long at most, so that a stopping bot stops fast.
LONG_POLL_SECONDS = 0.1
WAIT_SECONDS = 15.0


@dataclass(frozen=True)
class Call:
    method: str
    params: dict[str, Any]
    files: dict[str, bytes]
    status: int


class FakeTelegram:
    """The Bot API of one bot, at `base_url` (give it as TELEGRAM_API_BASE_URL)."""

    def __init__(self, token: str = TOKEN) -> None:
        self.token = token
        self._changed = threading.Condition()
        self._calls: list[Call] = []
        self._answered: Counter[str] = Counter()
        self._updates: list[dict[str, Any]] = []
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1)
        # By method: (status, description, retry_after) of each refusal to come.
        self._failures: dict[str, list[tuple[int, str, int | None]]] = {}
        self._chats: dict[int, dict[str, Any]] = {}
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.fake = self
        # A short poll interval: shutting the server down waits for one.
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> FakeTelegram:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    # What tests script.

    def push(self, update: dict[str, Any]) -> int:
        """Queue an update for getUpdates; return its update_id."""
        with self._changed:
            update = {"update_id": next(self._update_ids), **update}
            for chat in _chats_in(update):
                self._chats[chat["id"]] = chat
            self._updates.append(update)
            self._changed.notify_all()
            return update["update_id"]

    def new_update_id(self) -> int:
        """Return an update_id for an update delivered another way (the webhook)."""
        return next(self._update_ids)

    def new_message_id(self) -> int:
        return next(self._message_ids)

    def chat(self, chat_id: int) -> dict[str, Any]:
        """Return a chat as the updates described it."""
        with self._changed:
            return self._chats.get(chat_id, {"id": chat_id, "type": "private"})

    def fail(
        self,
        method: str,
        *,
        retry_after: int | None = None,
        status: int = 429,
        description: str = "Too Many Requests",
        times: int = 1,
    ) -> None:
        """Refuse the next `times` calls of `method`: by default with 429 and a retry_after,
        as Telegram's flood control does, or with any status and description."""
        if retry_after is not None:
            description = f"Too Many Requests: retry after {retry_after}"
        with self._changed:
            self._failures.setdefault(method, []).extend(
                [(status, description, retry_after)] * times
            )

    # What tests read.

    @property
    def calls(self) -> list[Call]:
        with self._changed:
            return list(self._calls)

    def answered(self, method: str) -> int:
        """Return how many calls of `method` succeeded (cheaper than scanning `calls`)."""
        with self._changed:
            return self._answered[method]

    def calls_to(self, method: str) -> list[Call]:
        return [call for call in self.calls if call.method == method]

    async def wait_for(self, predicate, *, timeout: float = WAIT_SECONDS) -> None:
        """Wait until `predicate(calls)` holds, without blocking the event loop."""
        deadline = time.monotonic() + timeout
        while not predicate(self.calls):
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out; calls so far: {self._summary()}")
            await asyncio.sleep(0.02)

    def _summary(self) -> str:
        return "; ".join(
            f"{c.method}[{c.status}] {c.params.get('chat_id', '')} {str(c.params.get('text', ''))[:60]!r}"
            for c in self.calls
            if c.method != "getUpdates"
        )

    # The server side, called from the HTTP handler's threads.

    def respond(
        self, path: str, params: dict[str, Any], files: dict[str, bytes]
    ) -> tuple[int, Any]:
        prefix = f"/bot{self.token}/"
        if not path.startswith(prefix):
            return 401, {"ok": False, "error_code": 401, "description": "Unauthorized"}
        method = path.removeprefix(prefix)
        if method == "getUpdates":
            status, result = 200, self._get_updates(params)
        else:
            with self._changed:
                scripted = self._failures.get(method)
                failure = scripted.pop(0) if scripted else None
            if failure is None:
                status, result = self._result(method, params, files)
            else:
                status, result, retry_after = failure
        with self._changed:
            self._calls.append(Call(method, params, files, status))
            if status == 200:
                self._answered[method] += 1
            self._changed.notify_all()
        if status == 200:
            return 200, {"ok": True, "result": result}
        error = {"ok": False, "error_code": status, "description": result}
        if status == 429:
            error["parameters"] = {"retry_after": retry_after}
        return status, error

    def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = params.get("offset") or 0
        limit = params.get("limit") or 100
        wait = min(float(params.get("timeout") or 0), LONG_POLL_SECONDS)
        deadline = time.monotonic() + wait
        with self._changed:
            # As Telegram does: asking from `offset` confirms, and forgets, every earlier update.
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
            while not self._updates and time.monotonic() < deadline:
                self._changed.wait(deadline - time.monotonic())
            return self._updates[:limit]

    def _result(self, method: str, params: dict[str, Any], files: dict[str, bytes]):
        if method == "getMe":
            return 200, BOT
        if method in {
            "deleteWebhook",
            "setWebhook",
            "setMyCommands",
            "answerCallbackQuery",
            "sendChatAction",
        }:
            return 200, True
        if method in OUTGOING:
            return 200, self._message(method, params, files)
        return 404, "Not Found: method not found"

    def _message(self, method: str, params: dict[str, Any], files: dict[str, bytes]):
        chat_id = int(params["chat_id"])
        message = {
            "message_id": params.get("message_id") or self.new_message_id(),
            "date": int(time.time()),
            "chat": self.chat(chat_id),
            "from": BOT,
        }
        if "text" in params:
            message["text"] = params["text"]
        if "caption" in params:
            message["caption"] = params["caption"]
        if "reply_markup" in params:
            message["reply_markup"] = params["reply_markup"]
        if method == "sendDocument":
            message["document"] = {"file_id": "document-1", "file_unique_id": "d1"}
        if method == "sendPhoto":
            message["photo"] = [
                {"file_id": "photo-1", "file_unique_id": "p1", "width": 300, "height": 300}
            ]
        return message


def _chats_in(update: dict[str, Any]):
    for kind in ("message", "edited_message"):
        if kind in update:
            yield update[kind]["chat"]
    if "callback_query" in update and "message" in update["callback_query"]:
        yield update["callback_query"]["message"]["chat"]


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address) -> None:
        # A bot that stops drops its pending long poll: not an error worth a traceback.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body leave in separate writes: without this, each answer waits for the
    # client's delayed ACK (some 40 ms), and every test waits with it.
    disable_nagle_algorithm = True

    def do_POST(self) -> None:
        self._serve()

    def do_GET(self) -> None:
        self._serve()

    def log_message(self, format: str, *args: Any) -> None:
        """Stay quiet: the calls are recorded instead."""

    def _serve(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        url = urlsplit(self.path)
        params, files = _parse(self.headers.get("Content-Type") or "", body)
        params.update(_decode(dict(parse_qsl(url.query))))
        status, payload = self.server.fake.respond(url.path, params, files)
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def _parse(content_type: str, body: bytes) -> tuple[dict[str, Any], dict[str, bytes]]:
    if content_type.startswith("application/json"):
        return json.loads(body or b"{}"), {}
    if content_type.startswith("multipart/form-data"):
        message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
            f"Content-Type: {content_type}\r\n\r\n".encode() + body
        )
        params, files = {}, {}
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            content = part.get_payload(decode=True)
            if part.get_filename() is not None:
                files[name] = content
            else:
                params[name] = content.decode()
        return _decode(params), files
    return _decode(dict(parse_qsl(body.decode()))), {}


def _decode(raw: dict[str, str]) -> dict[str, Any]:
    params = {}
    for name, value in raw.items():
        if name in STRING_PARAMS:
            params[name] = value
            continue
        try:
            params[name] = json.loads(value)
        except ValueError:
            params[name] = value
    return params


@dataclass(frozen=True)
class Reply:
    """Something the bot put in a chat: a message, an edit, a document or a photo."""

    method: str
    message_id: int | None
    text: str | None
    buttons: list[list[str]]
    button_data: dict[str, str]
    files: dict[str, bytes] = field(repr=False)

    @classmethod
    def of(cls, call: Call) -> Reply:
        keyboard = (call.params.get("reply_markup") or {}).get("inline_keyboard") or []
        return cls(
            method=call.method,
            message_id=call.params.get("message_id"),
            text=call.params.get("text") or call.params.get("caption"),
            buttons=[[button["text"] for button in row] for row in keyboard],
            button_data={
                button["text"]: button.get("callback_data") or button.get("url")
                for row in keyboard
                for button in row
            },
            files=call.files,
        )


class ChatReader:
    """Reads, in order, what the bot puts in one chat."""

    def __init__(self, api: FakeTelegram, chat_id: int) -> None:
        self.api = api
        self.chat_id = chat_id
        self._cursor = 0

    def _in_chat(self, call: Call) -> bool:
        return (
            call.method in OUTGOING
            and call.status == 200
            and int(call.params.get("chat_id", 0)) == self.chat_id
        )

    async def reply(self, *, timeout: float = WAIT_SECONDS) -> Reply:
        """Return the next thing the bot puts in this chat."""
        deadline = time.monotonic() + timeout
        while True:
            calls = self.api.calls
            for index in range(self._cursor, len(calls)):
                if self._in_chat(calls[index]):
                    self._cursor = index + 1
                    return Reply.of(calls[index])
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"no reply in chat {self.chat_id}; calls so far: {self.api._summary()}"
                )
            await asyncio.sleep(0.02)

    async def silence(self, *, seconds: float = 1.0) -> list[Reply]:
        """Wait `seconds`, then return whatever the bot put in the chat meanwhile."""
        await asyncio.sleep(seconds)
        calls = self.api.calls
        replies = [Reply.of(c) for c in calls[self._cursor :] if self._in_chat(c)]
        self._cursor = len(calls)
        return replies

    def last_keyboard_with(self, label: str) -> tuple[int, str]:
        """Return (message id, data) of the newest button labelled `label` seen in this chat."""
        for call in reversed(self.api.calls[: self._cursor]):
            if self._in_chat(call):
                reply = Reply.of(call)
                if label in reply.button_data:
                    return reply.message_id, reply.button_data[label]
        raise AssertionError(f"no button {label!r} in chat {self.chat_id}")


class TelegramUser:
    """A person using Telegram: sends messages, presses buttons, reads the bot's replies."""

    def __init__(
        self,
        api: FakeTelegram,
        *,
        user_id: int,
        first_name: str,
        last_name: str | None = None,
        language_code: str | None = "fr",
    ) -> None:
        self.api = api
        self.id = user_id
        self.first_name = first_name
        self.last_name = last_name
        self.language_code = language_code
        self.private = ChatReader(api, user_id)
        self._queries = itertools.count(1)

    @property
    def user(self) -> dict[str, Any]:
        user = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.last_name:
            user["last_name"] = self.last_name
        if self.language_code:
            user["language_code"] = self.language_code
        return user

    @property
    def private_chat(self) -> dict[str, Any]:
        return {"id": self.id, "type": "private", "first_name": self.first_name}

    def message(self, text: str | None = None, *, chat: dict | None = None, **content) -> dict:
        """Return a message from this person, as Telegram describes it."""
        message = {
            "message_id": self.api.new_message_id(),
            "date": int(time.time()),
            "chat": chat or self.private_chat,
            "from": self.user,
            **content,
        }
        if text is not None:
            message["text"] = text
            if text.startswith("/"):
                command = text.split()[0]
                message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        return message

    def send(self, text: str, *, chat: dict | None = None) -> dict:
        """Send a text message (a command when it starts with "/"); return it."""
        message = self.message(text, chat=chat)
        self.api.push({"message": message})
        return message

    def send_sticker(self) -> None:
        sticker = {
            "file_id": "sticker-1",
            "file_unique_id": "s1",
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
        }
        self.api.push({"message": self.message(sticker=sticker)})

    def edit(self, message: dict, text: str) -> None:
        edited = {**message, "text": text, "edit_date": int(time.time())}
        self.api.push({"edited_message": edited})

    def press(self, label: str, *, reader: ChatReader | None = None) -> str:
        """Press the newest button labelled `label` the bot sent; return the query id."""
        reader = reader or self.private
        message_id, data = reader.last_keyboard_with(label)
        return self.press_data(data, message_id=message_id, chat=self.api.chat(reader.chat_id))

    def press_data(
        self, data: str, *, message_id: int | None = None, chat: dict | None = None
    ) -> str:
        """Send a button press with any data at all, as a forged client could."""
        query_id = f"{self.id}-{next(self._queries)}"
        message = {
            "message_id": message_id or self.api.new_message_id(),
            "date": int(time.time()),
            "chat": chat or self.private_chat,
            "from": BOT,
            "text": "…",
        }
        self.api.push(
            {
                "callback_query": {
                    "id": query_id,
                    "from": self.user,
                    "chat_instance": f"instance-{self.id}",
                    "data": data,
                    "message": message,
                }
            }
        )
        return query_id

    async def answer_to(self, query_id: str, *, timeout: float = WAIT_SECONDS) -> dict[str, Any]:
        """Return the parameters of the bot's answerCallbackQuery to one press."""

        def answered(calls: list[Call]) -> bool:
            return any(
                c.method == "answerCallbackQuery" and c.params.get("callback_query_id") == query_id
                for c in calls
            )

        await self.api.wait_for(answered, timeout=timeout)
        return next(
            c.params
            for c in self.api.calls
            if c.method == "answerCallbackQuery" and c.params.get("callback_query_id") == query_id
        )

    async def reply(self, *, timeout: float = WAIT_SECONDS) -> Reply:
        """Return the next thing the bot puts in this person's private chat."""
        return await self.private.reply(timeout=timeout)
