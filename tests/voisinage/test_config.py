"""Settings from the environment: defaults that make a demo work, clear refusals otherwise."""

from __future__ import annotations

import pytest

from voisinage.config import ConfigError, Settings


def test_defaults_need_no_setup(tmp_path):
    settings = Settings.from_env({"INSTANCE_PATH": str(tmp_path / "instance")})
    assert settings.database_url == f"sqlite:///{tmp_path / 'instance' / 'voisinage.sqlite3'}"
    assert (settings.default_language, settings.default_timezone) == ("fr", "Europe/Paris")
    assert settings.telegram_api_url == "https://api.telegram.org/bot"
    assert settings.telegram_file_url == "https://api.telegram.org/file/bot"
    assert len(settings.secret_key) >= 40
    assert (tmp_path / "instance" / "secret_key").stat().st_mode & 0o777 == 0o600


def test_generated_secret_key_is_kept_across_restarts(tmp_path):
    env = {"INSTANCE_PATH": str(tmp_path)}
    assert Settings.from_env(env).secret_key == Settings.from_env(env).secret_key


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgres://u:p@db.example:5432/app", "postgresql+psycopg://u:p@db.example:5432/app"),
        ("postgresql://u@h/app", "postgresql+psycopg://u@h/app"),
        ("postgresql+psycopg://u@h/app", "postgresql+psycopg://u@h/app"),
    ],
)
def test_hosting_provider_database_urls_are_accepted(tmp_path, given, expected):
    settings = Settings.from_env({"DATABASE_URL": given, "SECRET_KEY": "k"})
    assert settings.database_url == expected


def test_self_hosted_bot_api_server(tmp_path):
    settings = Settings.from_env(
        {
            "SECRET_KEY": "k",
            "INSTANCE_PATH": str(tmp_path),
            "TELEGRAM_API_BASE_URL": "http://127.0.0.1:8081/",
        }
    )
    assert settings.telegram_api_url == "http://127.0.0.1:8081/bot"
    assert settings.telegram_file_url == "http://127.0.0.1:8081/file/bot"


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("DATABASE_URL", "mysql://x/y", "DATABASE_URL uses 'mysql'"),
        ("DATABASE_URL", "voisinage.db", "is not a URL"),
        (
            "PUBLIC_URL",
            "voisinage.example.org",
            "PUBLIC_URL='voisinage.example.org' must be an http",
        ),
        ("DEFAULT_LANGUAGE", "de", "DEFAULT_LANGUAGE='de' must be one of: fr, en"),
        ("DEFAULT_TIMEZONE", "Paris", "DEFAULT_TIMEZONE='Paris' is not a known time zone"),
        ("TELEGRAM_BOT_TOKEN", "not-a-token", "TELEGRAM_BOT_TOKEN does not look like a token"),
        ("TELEGRAM_WEBHOOK_SECRET", "has space", "TELEGRAM_WEBHOOK_SECRET must be"),
        ("PORT", "http", "PORT='http' must be a number"),
    ],
)
def test_invalid_values_are_named_with_the_fix(tmp_path, name, value, message):
    with pytest.raises(ConfigError) as refused:
        Settings.from_env({"SECRET_KEY": "k", "INSTANCE_PATH": str(tmp_path), name: value})
    assert message in str(refused.value)


def test_https_public_url_means_secure_cookies(tmp_path):
    env = {"SECRET_KEY": "k", "INSTANCE_PATH": str(tmp_path)}
    assert not Settings.from_env(env).secure_cookies
    assert Settings.from_env({**env, "PUBLIC_URL": "https://v.example.org"}).secure_cookies
