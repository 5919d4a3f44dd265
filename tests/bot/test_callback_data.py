"""Button data: a versioned format, at most 64 bytes, that parses only what the bot makes."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.callback_data import (
    DOORS,
    INVITABLE_ROLES,
    KINDS,
    LANGUAGE_CHOICES,
    MAX_BYTES,
    Button,
    InvalidButton,
    decode,
    encode,
    of_kind,
)

ids = st.integers(min_value=1, max_value=10**18 - 1)
buttons = st.one_of(
    st.builds(lambda p, d: Button("menu", (p, d)), ids, st.sampled_from(DOORS)),
    st.builds(lambda c: Button("lang", (c,)), st.sampled_from(LANGUAGE_CHOICES)),
    st.builds(lambda p: Button("proj", (p,)), ids),
    st.just(Button("name", ("telegram",))),
    st.builds(lambda h: Button("hh", (h,)), ids),
    st.builds(lambda p, r: Button("inv", (p, r)), ids, st.sampled_from(INVITABLE_ROLES)),
    st.builds(lambda a: Button("forget", (a,)), st.sampled_from(("yes", "no"))),
    st.builds(lambda p: Button("link", (p,)), ids),
)


@given(buttons)
def test_every_button_fits_telegram_and_decodes_to_itself(button):
    data = encode(button.kind, *button.args)
    assert len(data.encode()) <= MAX_BYTES
    assert decode(data) == button


@given(st.text(max_size=80) | st.binary(max_size=80).map(lambda b: b.decode("latin-1")))
def test_anything_else_is_refused_or_is_exactly_a_button_we_make(data):
    try:
        button = decode(data)
    except InvalidButton:
        return
    assert encode(button.kind, *button.args) == data


@pytest.mark.parametrize(
    "data",
    [
        "v1:menu:12:main:",
        "v1:menu:012:main",
        "v1:menu:-3:main",
        "v1:menu:1e3:main",
        "v1:menu: 12:main",
        "v1:menu:12:MAIN",
        "V1:menu:12:main",
        "v1:menu:12",
        "v1:hh:1:2",
        "v1:inv:3:root",
        "v1:lang:de",
        "v1",
        "",
        None,
        12,
        "v1:proj:" + "9" * 19,
    ],
    ids=repr,
)
def test_malformed_data_is_refused(data):
    with pytest.raises(InvalidButton):
        decode(data)


def test_encode_refuses_what_decode_would_not_give_back():
    with pytest.raises(InvalidButton):
        encode("menu", "12", "main")  # an id given as text
    with pytest.raises(InvalidButton):
        encode("secret", 1)


def test_of_kind_matches_only_valid_data_of_that_kind():
    assert sorted(kind for kind in KINDS if of_kind(kind)("v1:proj:7")) == ["proj"]
    assert not of_kind("proj")("v1:proj:07")
