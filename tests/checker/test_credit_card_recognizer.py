"""Presidio's CreditCardRecognizer as the engine configures it: the peers' cases."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from presidio_analyzer import AnalyzerEngine
from presidio_analyzer.predefined_recognizers import CreditCardRecognizer

from checker.engine import CARD_CONTEXT
from checker.evaluation.peer_cases import Unit
from tests.checker.peer_helpers import check_unit, peer_units


@pytest.fixture(scope="module")
def peer_analyzer(make_analyzer: Callable[..., AnalyzerEngine]) -> AnalyzerEngine:
    return make_analyzer(CreditCardRecognizer(supported_language="de", context=CARD_CONTEXT))


@pytest.mark.parametrize("unit", peer_units("CREDIT_CARD"))
def test_peer_cases(peer_analyzer: AnalyzerEngine, unit: Unit) -> None:
    """Presidio's card numbers (Luhn-valid numbers of the card networks) and its
    negatives (wrong Luhn digit)."""
    check_unit(peer_analyzer, unit)
