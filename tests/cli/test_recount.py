"""`voisinage recount`: anyone counts an exported ballot again, with the same tallies."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.cli.test_cli import run
from tests.voisinage.ballots_support import close, make_group, open_ballot, vote
from voisinage import ballot_exports
from voisinage.errors import DomainError
from voisinage.tallies import tally_ranked

GARDEN = {
    "format": "voisinage-ballot",
    "version": 1,
    "ballot": {"question": "Shared garden"},
    "method": "ranked",
    "rules": {"threshold": None, "quorum": "3/4", "eligible": 10, "minimum_grade": None},
    "options": [
        {"key": "p", "label": "Vegetable garden"},
        {"key": "v", "label": "Orchard"},
        {"key": "j", "label": "Play area"},
    ],
    "grades": None,
    # docs/voting.md's example: a cycle that the Schulze method breaks in favour of P.
    "ballots": [{"choice": ["p", "v", "j"]}] * 4
    + [{"choice": ["v", "j", "p"]}] * 3
    + [{"choice": ["j", "p", "v"]}] * 2,
}


def _write(tmp_path, data, name="ballot.json"):
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data))
    return str(path)


def test_an_exported_secret_ballot_recounts_to_the_recorded_result(environ, engine, tmp_path):
    group = make_group(engine)
    ballot = open_ballot(
        engine,
        group,
        method="majority_judgment",
        question="Which wording?",
        options=["Short", "Long"],
        secret=True,
    )
    for name, grades in (
        ("Nadia", {"a": "good", "b": "passable"}),
        ("Jeanne", {"a": "very_good", "b": "good"}),
        ("Linh", {"a": "fairly_good", "b": "excellent"}),
    ):
        vote(engine, group, ballot.id, name, grades)
    close(engine, group, ballot.id)
    out, _ = run(environ, "export-ballot", "les-voisins-du-quai", str(ballot.id))
    export = json.loads(out)
    assert export["ballots"] == sorted(export["ballots"], key=json.dumps)
    assert all(set(paper) == {"choice"} for paper in export["ballots"])
    path = _write(tmp_path, export)
    text, _ = run(environ, "recount", path)
    assert text == (
        "Which wording?: adopted: Short (Short: Good; Long: Good); 3 of 6 voices took part\n"
        "The recount gives the recorded result.\n"
    )
    machine = json.loads(run(environ, "recount", path, "--json")[0])
    assert machine["matches_recorded"] is True
    assert machine["result"]["winners"] == ["a"]
    # A paper taken away changes the count, and the recount says so.
    export["ballots"] = export["ballots"][1:]
    text, _ = run(environ, "recount", _write(tmp_path, export, "tampered.json"))
    assert text.endswith("The recount DIFFERS from the recorded result.\n")


def test_a_hand_written_export_is_counted_without_any_database(environ, tmp_path):
    machine = json.loads(run(environ, "recount", _write(tmp_path, GARDEN), "--json")[0])
    assert machine["matches_recorded"] is None
    assert (machine["result"]["winners"], machine["result"]["outcome"]) == (["p"], "adopted")
    assert machine["result"]["quorum"]["needed"] == 8


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.pop("method"), "The field method is not valid: It is missing."),
        (
            lambda d: d.update(version=2),
            "The field version is not valid: Version 2 is not supported.",
        ),
        (
            lambda d: d.update(format="csv"),
            "The field format is not valid: This is not a Voisinage ballot export.",
        ),
        (
            lambda d: d["ballots"].__setitem__(5, {"choice": ["p", "x"]}),
            "The field ballots[5] is not valid: Unknown option x.",
        ),
        (
            lambda d: d["ballots"].__setitem__(0, {"choice": ["p", "p"]}),
            "The field ballots[0] is not valid: The option p appears twice on one ballot.",
        ),
        (
            lambda d: d["options"][1].pop("label"),
            "The field options[1].label is not valid: It is missing.",
        ),
        (
            lambda d: d["rules"].update(quorum="three quarters"),
            'The field rules.quorum is not valid: Write the quorum as a fraction, like "3/4".',
        ),
        (
            lambda d: d["rules"].update(eligible=5),
            "The field rules.eligible is not valid: There are more ballots (9) than eligible voices (5).",
        ),
        (
            lambda d: d["rules"].update(eligible=True),
            "The field rules.eligible is not valid: It has the wrong type.",
        ),
    ],
)
def test_a_malformed_export_exits_2_naming_the_faulty_field(environ, tmp_path, change, message):
    data = json.loads(json.dumps(GARDEN))
    change(data)
    _, err = run(environ, "recount", _write(tmp_path, data), expect=2)
    assert err == f"voisinage: {message}\n"


def test_a_file_that_is_not_json_exits_2(environ, tmp_path):
    _, err = run(environ, "recount", _write(tmp_path, "{not json"), expect=2)
    assert err.startswith("voisinage: The field (file) is not valid: This is not JSON:")


rankings = st.lists(
    st.permutations(["p", "v", "j"]).flatmap(
        lambda order: st.integers(0, 3).map(lambda n: order[:n])
    ),
    max_size=30,
)


@settings(max_examples=50, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ballots=rankings)
def test_reading_an_export_then_recounting_equals_the_tally(ballots):
    data = json.loads(json.dumps(GARDEN)) | {"ballots": [{"choice": b} for b in ballots]}
    data["rules"] = {"threshold": None, "quorum": None, "eligible": None, "minimum_grade": None}
    try:
        expected = tally_ranked(["p", "v", "j"], ballots)
    except DomainError:
        return
    export = ballot_exports.read_export(data)
    assert ballot_exports.recount(export) == expected


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=5), children, max_size=4)
    ),
    max_leaves=10,
)


@settings(max_examples=200)
@given(
    method=st.sampled_from(["threshold", "consent", "majority_judgment", "approval", "ranked"]),
    choice=json_values,
)
def test_any_json_paper_is_either_counted_or_refused_with_its_field_named(method, choice):
    data = json.loads(json.dumps(GARDEN)) | {"method": method, "ballots": [{"choice": choice}]}
    data["rules"] = {"threshold": None, "quorum": None, "eligible": None, "minimum_grade": None}
    if method in ("threshold", "consent"):
        data["options"] = []
    try:
        export = ballot_exports.read_export(data)
    except ballot_exports.ExportInvalid as error:
        refused = error.params["field"]
    else:
        refused = None
        assert ballot_exports.recount(export).took_part == 1
    assert refused in (None, "ballots[0]")
