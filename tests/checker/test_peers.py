"""The peer suite: extraction (tests/peers/build.py), units, debatable rules, scoring."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from checker.evaluation import peer_cases
from checker.evaluation.metrics import Pred
from checker.evaluation.peer_cases import (
    OUT_OF_SCOPE,
    Unit,
    header,
    load_units,
    place,
    presidio_units,
)
from checker.evaluation.peer_rules import NEGATIVE, POSITIVE, judge
from checker.evaluation.peers import (
    evaluate_peers,
    peer_section,
    peers_json,
    render_peers,
    score_case,
)
from tests.peers import build

# --- extraction ----------------------------------------------------------------------

PRESIDIO_SAMPLE = textwrap.dedent(
    """
    import pytest
    _SCORE = 0.5

    @pytest.fixture(scope="module")
    def entities():
        return ["DE_KFZ"]

    @pytest.fixture(scope="module")
    def strict_recognizer():
        return DeKfzRecognizer(strict=True)

    @pytest.mark.parametrize(
        "text, expected_len, expected_positions, expected_score",
        [
            # fmt: off
            ("B AB 1234", 1, ((0, 9),), _SCORE),
            (f"no plate", 0, (), None),
            # fmt: on
        ],
    )
    def test_analyze(text, expected_len, expected_positions, expected_score, recognizer):
        pass

    @pytest.mark.parametrize("number, expected", [("B AB 1234", None), ("", False)])
    def test_validate(number, expected, strict_recognizer):
        pass
    """
)

STDNUM_SAMPLE = textwrap.dedent(
    """
    Copyright (C) 2024 Someone

    >>> from stdnum.de import vat
    >>> vat.validate('DE136695976')
    '136695976'
    >>> vat.validate('DE136695978')
    Traceback (most recent call last):
        ...
    InvalidChecksum: ...
    >>> vat.validate('DE136695976', 'extra')
    '136695976'

    >>> numbers = '''
    ...
    ... DE 136 695 976
    ... AT U12345678
    ... '''
    >>> [x for x in numbers.splitlines() if x and not vat.is_valid(x)]
    []

    >>> numbers = '''
    ... DE 136 695 978
    ... '''
    >>> [x for x in numbers.splitlines() if x and not caught(x, InvalidChecksum)]
    []
    """
)


def test_presidio_rows_are_read_as_written() -> None:
    rows = build.presidio_rows("test_sample.py", PRESIDIO_SAMPLE)
    assert [(r["text"], r["call"], r["mode"]) for r in rows] == [
        ("B AB 1234", "analyze", "default"),
        ("no plate", "analyze", "default"),
        ("B AB 1234", "validate_result", "DeKfzRecognizer(strict=True)"),
    ]
    first = rows[0]
    assert first["entity"] == "DE_KFZ" and first["expected_len"] == 1
    assert first["spans"] == [[0, 9]] and first["scores"] == [[0.5, 0.5]]
    assert first["path"] == "presidio-analyzer/tests/test_sample.py" and first["line"] > 0
    assert rows[2]["expected"] is None  # validate_result("") has no text and is left out


def test_stdnum_numbers_keep_the_doctests_verdicts() -> None:
    found = build.stdnum_numbers(
        "tests/x.doctest", STDNUM_SAMPLE, {"module": "eu.vat", "only": "DE"}
    )
    assert [(f["number"], f["valid"]) for f in found] == [
        ("DE136695976", True),
        ("DE136695978", False),
        ("DE 136 695 976", True),  # "AT U12345678" is not German
        ("DE 136 695 978", False),
    ]
    assert found[3]["how"] == "list, raises InvalidChecksum"


def test_data_files_name_source_commit_and_licence() -> None:
    presidio, stdnum = header("presidio"), header("stdnum")
    assert presidio["commit"] == build.PRESIDIO_COMMIT and presidio["licence"] == "MIT"
    assert "Permission is hereby granted" in " ".join(presidio["licence_notice"])
    assert stdnum["commit"] == build.STDNUM_COMMIT
    assert stdnum["licence"] == "LGPL-2.1-or-later" and stdnum["copyright"]
    for h in (presidio, stdnum):
        assert h["repository"].startswith("https://github.com/")
        assert "Test data only" in h["note"]


def test_data_files_are_written_as_the_builder_writes_them() -> None:
    for name, key in (("presidio.json", "cases"), ("stdnum.json", "numbers")):
        path = peer_cases.PEERS_DIR / name
        text = path.read_text("utf-8")
        assert build._dump(json.loads(text)) == text, f"{path}: rebuild with tests.peers.build"
        assert json.loads(text)[key]


def test_peer_data_is_not_package_data() -> None:
    pyproject = (Path(__file__).parents[2] / "pyproject.toml").read_text("utf-8")
    assert '"tests*"' not in pyproject and "peers" not in pyproject


# --- units ----------------------------------------------------------------------------


def test_units_cover_both_peers() -> None:
    units = load_units()
    by_source = {s: [u for u in units if u.source == s] for s in peer_cases.SOURCES}
    assert sum(u.positive for u in by_source["presidio"]) > 300
    assert sum(not u.positive for u in by_source["presidio"]) > 250
    assert sum(u.positive for u in by_source["stdnum"]) > 1000
    for unit in units:
        if unit.span is not None:
            start, end = unit.span
            assert 0 <= start < end <= len(unit.text)
    stdnum_variants = {u.variant for u in by_source["stdnum"]}
    assert stdnum_variants == set(peer_cases.VARIANTS)


def test_stdnum_numbers_are_placed_with_exact_spans() -> None:
    for variant in peer_cases.VARIANTS:
        text, (start, end) = place("IBAN_CODE", variant, " NO07.8380.08.06006 ")
        assert text[start:end] == "NO07.8380.08.06006"
    assert (
        place("DE_VAT_ID", "cue", "DE 136 695 976")[0] == "Unsere USt-IdNr. lautet DE 136 695 976."
    )


def test_rows_of_another_set_up_only_add_spans_and_notes() -> None:
    case = {
        "id": "presidio:x:1",
        "entity": "PHONE_NUMBER",
        "text": "call 555 or 666",
        "records": [
            {
                "path": "p/t.py",
                "line": 1,
                "mode": "leniency=1",
                "call": "analyze",
                "expected_len": 1,
                "spans": [[5, 8]],
                "scores": None,
            },
            {
                "path": "p/t.py",
                "line": 2,
                "mode": "leniency=0",
                "call": "analyze",
                "expected_len": 2,
                "spans": [[5, 8], [12, 15]],
                "scores": None,
            },
        ],
    }
    units = presidio_units([case])
    assert [(u.span, u.note) for u in units] == [
        ((5, 8), ""),
        ((12, 15), "expected only with leniency=0"),
    ]


# --- debatable rules --------------------------------------------------------------------


def _unit(entity: str, text: str, positive: bool = True, source: str = "presidio") -> Unit:
    return Unit(source, "t", "t.py:1", entity, entity, text, positive, (0, len(text)), "as written")


@pytest.mark.parametrize(
    ("unit", "ours"),
    [
        (_unit("DE_VAT_ID", "DE123456789"), NEGATIVE),  # python-stdnum: wrong check digit
        (_unit("DE_TAX_ID", "12345678903"), NEGATIVE),
        (_unit("DE_ID_CARD", "CZ6311T03"), "DE_PASSPORT"),  # C is a passport letter
        (_unit("DE_PASSPORT", "L01X00T44"), "DE_ID_CARD"),
        (_unit("DE_ID_CARD", "T22000129"), NEGATIVE),  # letter + 8 digits alone
        (_unit("DE_ID_CARD", "L01X00T47", positive=False), POSITIVE),  # the BMI specimen
        (_unit("DE_KFZ", "b ab 1234"), NEGATIVE),  # lower case
        (_unit("DE_KFZ", "MIL EF 1234E"), NEGATIVE),  # nine letters and digits
        (_unit("DE_LANR", "123456601"), NEGATIVE),  # 9 digits alone
        (_unit("DE_TAX_NUMBER", "123/456/78901"), POSITIVE),  # slash form alone
        (_unit("DE_TAX_NUMBER", "0281508150123"), NEGATIVE),  # no Land prefix
        (_unit("DE_DRIVERS_LICENSE", "BO12345678A"), NEGATIVE),
        (_unit("IBAN_CODE", "BE68539007547034"), NEGATIVE),  # fails the Belgian check
    ],
)
def test_debatable_units_and_the_choice(unit: Unit, ours: str) -> None:
    judgement = judge(unit)
    assert judgement is not None and judgement.ours == ours and judgement.reason


@pytest.mark.parametrize(
    "unit",
    [
        _unit("DE_VAT_ID", "DE136695976"),
        _unit("DE_ID_CARD", "L01X00T44"),  # a valid number, a letter in the random part
        _unit("DE_TAX_ID", "12345678901", positive=False),
        _unit("IBAN_CODE", "DE89 3704 0044 0532 0130 00"),
    ],
)
def test_plain_units_are_not_debatable(unit: Unit) -> None:
    assert judge(unit) is None


def test_out_of_scope_types_are_named_with_a_reason() -> None:
    assert set(OUT_OF_SCOPE) == {"DE_BSNR", "DE_HANDELSREGISTER", "DE_PLZ"}
    assert {u.peer_entity for u in load_units()} & set(OUT_OF_SCOPE) == set(OUT_OF_SCOPE)


# --- scoring -------------------------------------------------------------------------


def test_score_case_matches_spans_once_and_counts_extras() -> None:
    text = "IBAN DE89370400440532013000 und DE89370400440532013000"
    a = Unit("presidio", "c", "o", "IBAN_CODE", "IBAN_CODE", text, True, (5, 27), "as written")
    b = Unit("presidio", "c", "o", "IBAN_CODE", "IBAN_CODE", text, True, (32, 54), "as written")
    preds = [Pred("IBAN_CODE", 5, 27), Pred("IBAN_CODE", 5, 27), Pred("PHONE_NUMBER", 32, 40)]
    outcomes, extra = score_case([a, b], preds)
    assert [o.hit for o in outcomes] == [True, False]  # one finding, one gold span
    assert extra == 1


def test_negative_is_clean_only_without_a_finding_of_its_type() -> None:
    text = "Dalla's Pizza 440-600-5124"
    unit = Unit("presidio", "c", "o", "IBAN_CODE", "IBAN_CODE", text, False, None, "as written")
    assert score_case([unit], [Pred("PHONE_NUMBER", 14, 26)])[0][0].hit
    assert not score_case([unit], [Pred("IBAN_CODE", 14, 26)])[0][0].hit


def test_a_perfect_predictor_meets_the_targets_and_renders() -> None:
    units = [u for u in load_units() if u.entity == "DE_VAT_ID"]

    def predict(text: str) -> list[Pred]:
        preds = []
        for u in units:
            if u.text == text and u.positive and judge(u) is None:
                start, end = u.span or (0, len(text))
                preds.append(Pred("DE_VAT_ID", start, end))
        return preds

    result = evaluate_peers(predict, units)
    totals = result.totals()
    assert totals["presidio"].found == totals["presidio"].positives > 0
    assert totals["stdnum"].clean == totals["stdnum"].negatives > 0
    data = peers_json(result)
    assert data["sources"]["presidio"]["commit"] == build.PRESIDIO_COMMIT
    assert data["per_entity"]["stdnum"]["DE_VAT_ID"]["debatable"] > 0
    table = render_peers(result)
    assert "| stdnum | DE_VAT_ID |" in table and "Debatable" in table


def test_without_test_data_there_is_no_peer_suite(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(peer_cases, "PEERS_DIR", tmp_path)
    assert peer_section() is None


def test_builder_names_a_missing_repository_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert build.main(["--presidio", str(tmp_path), "--stdnum", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1 and "Traceback" not in err
