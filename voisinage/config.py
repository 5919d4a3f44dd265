"""Settings read once from the environment (twelve-factor)."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

LANGUAGES = ("fr", "en")
DEFAULT_TELEGRAM_API_BASE_URL = "https://api.telegram.org"


class ConfigError(ValueError):
    """A setting has a value we cannot use; the message names the variable and the fix."""


@dataclass(frozen=True)
class Settings:
    """Everything that differs between a laptop demo and a production host."""

    database_url: str
    secret_key: str
    instance_path: Path
    public_url: str = "http://localhost:5000"
    default_language: str = "fr"
    default_timezone: str = "Europe/Paris"
    telegram_bot_token: str | None = None
    telegram_bot_username: str | None = None
    telegram_api_base_url: str = DEFAULT_TELEGRAM_API_BASE_URL
    telegram_webhook_secret: str | None = None
    port: int = 5000

    @property
    def secure_cookies(self) -> bool:
        return self.public_url.startswith("https://")

    @property
    def telegram_api_url(self) -> str:
        """The URL prefix of Bot API methods, `<root>/bot` (the token follows)."""
        return f"{self.telegram_api_base_url}/bot"

    @property
    def telegram_file_url(self) -> str:
        """The URL prefix of Bot API file downloads, `<root>/file/bot`."""
        return f"{self.telegram_api_base_url}/file/bot"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Read and check every setting; raise ConfigError naming the first bad one."""
        env = os.environ if environ is None else environ
        instance_path = Path(env.get("INSTANCE_PATH") or Path.cwd() / "instance").resolve()
        return cls(
            database_url=normalise_database_url(
                env.get("DATABASE_URL") or f"sqlite:///{instance_path / 'voisinage.sqlite3'}"
            ),
            secret_key=env.get("SECRET_KEY") or _stored_secret_key(instance_path),
            instance_path=instance_path,
            public_url=_http_url("PUBLIC_URL", env.get("PUBLIC_URL") or "http://localhost:5000"),
            default_language=_language(env.get("DEFAULT_LANGUAGE") or "fr"),
            default_timezone=_timezone(env.get("DEFAULT_TIMEZONE") or "Europe/Paris"),
            telegram_bot_token=_token(env.get("TELEGRAM_BOT_TOKEN")),
            telegram_bot_username=(env.get("TELEGRAM_BOT_USERNAME") or "").lstrip("@") or None,
            telegram_api_base_url=_http_url(
                "TELEGRAM_API_BASE_URL",
                env.get("TELEGRAM_API_BASE_URL") or DEFAULT_TELEGRAM_API_BASE_URL,
            ),
            telegram_webhook_secret=_webhook_secret(env.get("TELEGRAM_WEBHOOK_SECRET")),
            port=_port(env.get("PORT") or "5000"),
        )


def normalise_database_url(url: str) -> str:
    """Map the URL forms hosting providers hand out onto the drivers we ship."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        raise ConfigError(
            f"DATABASE_URL={url!r} is not a URL: use sqlite:///path/to/file.sqlite3 "
            "or postgresql://user:password@host:5432/name"
        )
    if scheme in ("postgres", "postgresql", "postgresql+psycopg"):
        return f"postgresql+psycopg://{rest}"
    if scheme == "sqlite":
        if rest not in ("", "/") and not rest.startswith("/:memory:"):
            Path(rest[1:]).parent.mkdir(parents=True, exist_ok=True)
        return url
    raise ConfigError(
        f"DATABASE_URL uses {scheme!r}: Voisinage runs on SQLite (sqlite:///…) "
        "or PostgreSQL (postgres://… or postgresql://…)"
    )


def _stored_secret_key(instance_path: Path) -> str:
    """Return the key kept under the instance folder, creating it on first use.

    A demo must work with no set-up, and sessions and links must survive a restart,
    so the generated key is written once and reused.
    """
    key_file = instance_path / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key


def _http_url(name: str, value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(f"{name}={value!r} must be an http:// or https:// URL")
    return value.rstrip("/")


def _language(value: str) -> str:
    if value not in LANGUAGES:
        raise ConfigError(f"DEFAULT_LANGUAGE={value!r} must be one of: {', '.join(LANGUAGES)}")
    return value


def _timezone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            f"DEFAULT_TIMEZONE={value!r} is not a known time zone (e.g. Europe/Paris)"
        ) from None
    return value


def _token(value: str | None) -> str | None:
    if not value:
        return None
    bot_id, sep, secret = value.partition(":")
    if not (sep and bot_id.isdigit() and secret):
        raise ConfigError(
            "TELEGRAM_BOT_TOKEN does not look like a token from @BotFather (digits:letters)"
        )
    return value


def _webhook_secret(value: str | None) -> str | None:
    # Telegram accepts 1-256 characters from A-Z, a-z, 0-9, _ and - in this header.
    if not value:
        return None
    if len(value) > 256 or not all(c.isascii() and (c.isalnum() or c in "_-") for c in value):
        raise ConfigError(
            "TELEGRAM_WEBHOOK_SECRET must be 1 to 256 characters among A-Z, a-z, 0-9, _ and -"
        )
    return value


def _port(value: str) -> int:
    if not value.isdigit() or not 0 < int(value) < 65536:
        raise ConfigError(f"PORT={value!r} must be a number between 1 and 65535")
    return int(value)
