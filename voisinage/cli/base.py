"""What every `voisinage` command shares: the context, JSON output, transactions, errors."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from functools import cached_property, wraps
from typing import Any

import click
from sqlalchemy.engine import Engine

from voisinage import db, i18n
from voisinage.config import ConfigError, Settings
from voisinage.errors import DomainError

# Exit codes: 1 when the environment is wrong (configuration, schema, database),
# 2 when the command's arguments are (as click does for usage errors).
EXIT_ENVIRONMENT = 1
EXIT_USAGE = 2


class Context:
    """What every command may need, built on first use."""

    def __init__(self, environ: dict[str, str] | None = None) -> None:
        self._environ = environ

    @cached_property
    def settings(self) -> Settings:
        return Settings.from_env(self._environ)

    @cached_property
    def raw_engine(self) -> Engine:
        return db.make_engine(self.settings.database_url)

    @cached_property
    def engine(self) -> Engine:
        """The engine, once the schema is known to match the code."""
        db.check_schema(self.raw_engine)
        return self.raw_engine

    @cached_property
    def translator(self) -> i18n.Translator:
        env = os.environ if self._environ is None else self._environ
        language = i18n.negotiate(env.get("LC_ALL"), env.get("LC_MESSAGES"), env.get("LANG"))
        return i18n.translator(language or self.settings.default_language)

    def close(self) -> None:
        """Release the database connections, if any were opened."""
        if "raw_engine" in self.__dict__:
            self.raw_engine.dispose()

    def _(self, message: str, **params: Any) -> str:
        return self.translator.gettext(message, **params)


pass_context = click.make_pass_decorator(Context, ensure=True)


def json_option(command: Callable) -> Callable:
    """Add `--json`: print the result as one JSON document instead of text."""
    return click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")(
        command
    )


def emit(as_json: bool, data: Any, text: str) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2) if as_json else text)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="voisinage")
def cli() -> None:
    """Voisinage: questionnaires, votes and workshops for cohousing groups."""


def main(argv: list[str] | None = None, environ: dict[str, str] | None = None) -> None:
    """Run the command line; errors become one line on stderr and an exit code."""
    context = Context(environ)
    try:
        cli.main(args=argv, prog_name="voisinage", standalone_mode=False, obj=context)
    except click.exceptions.NoArgsIsHelpError as error:
        path = error.ctx.command_path if error.ctx else "voisinage"
        click.echo(f"voisinage: Missing command. Try '{path} --help'.", err=True)
        sys.exit(EXIT_USAGE)
    except click.UsageError as error:
        click.echo(f"voisinage: {error.format_message()}", err=True)
        sys.exit(EXIT_USAGE)
    except click.exceptions.Abort:
        sys.exit(EXIT_ENVIRONMENT)
    except ConfigError as error:
        click.echo(f"voisinage: {error}", err=True)
        sys.exit(EXIT_ENVIRONMENT)
    except db.SchemaOutOfDate as error:
        click.echo(f"voisinage: {error.translate(context.translator.gettext)}", err=True)
        sys.exit(EXIT_ENVIRONMENT)
    except DomainError as error:
        click.echo(f"voisinage: {error.translate(context.translator.gettext)}", err=True)
        sys.exit(EXIT_USAGE)
    finally:
        context.close()


def with_unit_of_work(command: Callable) -> Callable:
    """Give the command a session in one transaction on an up-to-date database."""

    @wraps(command)
    @pass_context
    def wrapper(ctx: Context, *args: Any, **kwargs: Any) -> Any:
        with db.unit_of_work(ctx.engine) as session:
            return command(ctx, session, *args, **kwargs)

    return wrapper
