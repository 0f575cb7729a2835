"""The peers' own cases (tests/peers/, see checker/evaluation/peer_cases.py) as
table-driven tests of one recognizer: each unit of its type, with the expectation the
peer suite scores it by (the peer's, or Leitplanke's choice where it is debatable)."""

from __future__ import annotations

import pytest
from _pytest.mark import ParameterSet
from presidio_analyzer import AnalyzerEngine

from checker.evaluation.metrics import MIN_OVERLAP
from checker.evaluation.peer_cases import Unit, load_units
from checker.evaluation.peer_rules import NEGATIVE, POSITIVE, judge

THRESHOLD = 0.5


def peer_units(*entities: str) -> list[ParameterSet]:
    """pytest params of every peer unit of these types."""
    return [
        pytest.param(unit, id=f"{unit.source}-{unit.variant}-{unit.case_id}-{unit.value[:40]}")
        for unit in load_units()
        if unit.entity in entities
    ]


def expectation(unit: Unit) -> str:
    """POSITIVE, NEGATIVE or the entity type the unit is reported as instead."""
    judgement = judge(unit)
    if judgement is not None and judgement.layer == "recognizer":
        return judgement.ours
    # The peer's own expectation; a choice of the normalisation layer is the
    # scanner's (checked by the eval's peer suite), not the recognizer's alone.
    return POSITIVE if unit.positive else NEGATIVE


def _covers(unit: Unit, start: int, end: int) -> bool:
    if unit.span is None:
        return True
    s, e = unit.span
    overlap = min(e, end) - max(s, start)
    return overlap > 0 and overlap >= MIN_OVERLAP * (e - s)


def check_unit(analyzer: AnalyzerEngine, unit: Unit) -> None:
    """Assert that `analyzer` (language "de", threshold 0.5) does what the peer suite
    expects of the unit."""
    results = [r for r in analyzer.analyze(unit.text, language="de") if r.score >= THRESHOLD]
    found = [(r.entity_type, unit.text[r.start : r.end]) for r in results]
    expected = expectation(unit)
    own = [r for r in results if r.entity_type == unit.entity]
    if expected == POSITIVE:
        assert any(_covers(unit, r.start, r.end) for r in own), (unit.text, found)
    elif expected == NEGATIVE:
        if unit.positive:  # a debatable positive Leitplanke does not report
            assert not any(_covers(unit, r.start, r.end) for r in own), (unit.text, found)
        else:
            assert not own, (unit.text, found)
    else:  # reported as another type
        assert any(r.entity_type == expected and _covers(unit, r.start, r.end) for r in results), (
            unit.text,
            found,
        )
        assert not any(_covers(unit, r.start, r.end) for r in own), (unit.text, found)
