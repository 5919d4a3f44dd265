"""The catalogs are complete, compile, and match the strings in the code."""

from __future__ import annotations

import pytest
from babel.messages.pofile import read_po

from voisinage import i18n
from voisinage.cli.translations import POT_FILE, extract_messages


def _catalog(path, locale=None):
    with path.open("rb") as handle:
        return read_po(handle, locale=locale)


def _ids(catalog) -> set:
    return {message.id for message in catalog if message.id}


@pytest.mark.parametrize("language", ["fr", "en"])
def test_catalog_has_every_message_translated(language):
    catalog = _catalog(i18n.LOCALES_DIR / language / "LC_MESSAGES" / "messages.po", language)
    untranslated = [
        m.id for m in catalog if m.id and not (all(m.string) if m.pluralizable else m.string)
    ]
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    assert untranslated == []
    assert fuzzy == []


@pytest.mark.parametrize("language", ["fr", "en"])
def test_catalog_holds_exactly_the_template_messages(language):
    template = _ids(_catalog(POT_FILE))
    catalog = _ids(_catalog(i18n.LOCALES_DIR / language / "LC_MESSAGES" / "messages.po", language))
    assert sorted(template - catalog) == []
    assert sorted(catalog - template) == []


def test_template_is_up_to_date_with_the_code(tmp_path):
    fresh = tmp_path / "messages.pot"
    extract_messages(fresh)
    assert sorted(_ids(_catalog(fresh)) - _ids(_catalog(POT_FILE))) == [], (
        "new strings in the code: run `voisinage i18n update` and translate them"
    )
    assert sorted(_ids(_catalog(POT_FILE)) - _ids(_catalog(fresh))) == [], (
        "strings gone from the code: run `voisinage i18n update`"
    )


def test_placeholders_survive_translation():
    catalog = _catalog(i18n.LOCALES_DIR / "fr" / "LC_MESSAGES" / "messages.po", "fr")
    import re

    placeholder = re.compile(r"%\(\w+\)s")
    wrong = [
        m.id
        for m in catalog
        if m.id
        and not m.pluralizable
        and set(placeholder.findall(m.id)) != set(placeholder.findall(m.string))
    ]
    assert wrong == []


def test_french_translator_translates_and_formats():
    from datetime import UTC, datetime

    fr = i18n.translator("fr")
    assert fr.gettext("Please give a name.") == "Veuillez indiquer un nom."
    assert (
        fr.datetime(datetime(2027, 3, 3, 13, 0, tzinfo=UTC), "Europe/Paris")
        == "3 mars 2027, 14:00:00"
    )
    assert fr.money(1250.5) == "1\u202f250,50\xa0€"
    en = i18n.translator("en-GB")
    assert en.language == "en"
    assert en.money(1250.5) == "€1,250.50"


@pytest.mark.parametrize(
    ("preferences", "expected"),
    [
        (("fr-FR",), "fr"),
        (("en_US",), "en"),
        (("de", "en"), "en"),
        ((None, "", "FR"), "fr"),
        (("de", "es"), None),
    ],
)
def test_negotiate_picks_the_first_supported_language(preferences, expected):
    assert i18n.negotiate(*preferences) == expected


def test_compile_rebuilds_a_stale_catalog(tmp_path):
    import os
    import shutil
    import time

    shutil.copytree(i18n.LOCALES_DIR, tmp_path / "locales")
    po = tmp_path / "locales" / "fr" / "LC_MESSAGES" / "messages.po"
    for mo in (tmp_path / "locales").glob("*/LC_MESSAGES/*.mo"):
        mo.unlink()
    assert len(i18n.compile_catalogs(tmp_path / "locales")) == 2
    assert i18n.compile_catalogs(tmp_path / "locales") == []
    later = time.time() + 10
    os.utime(po, (later, later))
    assert i18n.compile_catalogs(tmp_path / "locales") == [po.with_suffix(".mo")]
