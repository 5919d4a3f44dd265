"""`voisinage i18n …`: keep the catalogs in step with the code."""

from __future__ import annotations

from pathlib import Path

import click
from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po, write_po

from voisinage import i18n
from voisinage.cli.base import cli

ROOT = Path(__file__).resolve().parent.parent.parent
POT_FILE = i18n.LOCALES_DIR / f"{i18n.DOMAIN}.pot"
# The same keywords everywhere: gettext-style calls plus N_ for lazy domain messages.
SOURCE_LANGUAGE = "en"
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
    """Extract, merge new strings into every catalog, and fill English from the source strings."""
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
    filled = fill_from_source(
        i18n.LOCALES_DIR / SOURCE_LANGUAGE / "LC_MESSAGES" / f"{i18n.DOMAIN}.po"
    )
    click.echo(f"{SOURCE_LANGUAGE}: {filled} new messages filled from the source strings")


def fill_from_source(po_path: Path) -> int:
    """Give each untranslated message of the source-language catalog its msgid; return how many.

    The code is written in English, so an English msgstr is the msgid until someone rewords it.
    """
    with po_path.open("rb") as po_file:
        catalog = read_po(po_file, locale=SOURCE_LANGUAGE)
    filled = 0
    for message in catalog:
        if not message.id or (message.string and any(message.string)):
            continue
        message.string = tuple(message.id) if message.pluralizable else message.id
        filled += 1
    with po_path.open("wb") as po_file:
        write_po(po_file, catalog, sort_output=True, include_lineno=False, width=100)
    return filled


@i18n_group.command("compile")
def compile_() -> None:
    """Build the .mo files that are missing or older than their .po."""
    for path in i18n.compile_catalogs():
        click.echo(str(path))
