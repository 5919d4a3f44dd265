"""`voisinage i18n …`: keep the catalogs in step with the code."""

from __future__ import annotations

from pathlib import Path

import click
from babel.messages.frontend import CommandLineInterface

from voisinage import i18n
from voisinage.cli.base import cli

ROOT = Path(__file__).resolve().parent.parent.parent
POT_FILE = i18n.LOCALES_DIR / f"{i18n.DOMAIN}.pot"
# The same keywords everywhere: gettext-style calls plus N_ for lazy domain messages.
KEYWORDS = ["-k", "_", "-k", "N_", "-k", "gettext", "-k", "ngettext:1,2", "-k", "lazy_gettext"]


def extract_messages(output: Path = POT_FILE) -> None:
    """Write the template of every translatable string in the code to `output`."""
    CommandLineInterface().run(
        [
            "pybabel",
            "-q",
            "extract",
            "-F",
            str(ROOT / "babel.cfg"),
            *KEYWORDS,
            "--no-location",
            "--sort-output",
            "--project",
            "Voisinage",
            "-o",
            str(output),
            str(ROOT),
        ]
    )


@cli.group("i18n")
def i18n_group() -> None:
    """Extract, update and compile the translation catalogs."""


@i18n_group.command("extract")
def extract() -> None:
    """Rewrite locales/messages.pot from the code and templates."""
    extract_messages()
    click.echo(str(POT_FILE))


@i18n_group.command("update")
def update() -> None:
    """Extract, then merge new strings into every language's catalog."""
    extract_messages()
    CommandLineInterface().run(
        [
            "pybabel",
            "-q",
            "update",
            "-i",
            str(POT_FILE),
            "-d",
            str(i18n.LOCALES_DIR),
            "--no-fuzzy-matching",
            "--ignore-obsolete",
        ]
    )


@i18n_group.command("compile")
def compile_() -> None:
    """Build the .mo files that are missing or older than their .po."""
    for path in i18n.compile_catalogs():
        click.echo(str(path))
