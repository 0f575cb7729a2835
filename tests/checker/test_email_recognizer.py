"""EmailRecognizer (Presidio's pattern, searched near "@"): the peers' cases."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from presidio_analyzer import AnalyzerEngine

from checker.engine import EMAIL_CONTEXT
from checker.evaluation.peer_cases import Unit
from checker.recognizers import EmailRecognizer
from tests.checker.peer_helpers import check_unit, peer_units


@pytest.fixture(scope="module")
def peer_analyzer(make_analyzer: Callable[..., AnalyzerEngine]) -> AnalyzerEngine:
    return make_analyzer(EmailRecognizer(supported_language="de", context=EMAIL_CONTEXT))


@pytest.mark.parametrize("unit", peer_units("EMAIL_ADDRESS"))
def test_peer_cases(peer_analyzer: AnalyzerEngine, unit: Unit) -> None:
    """Presidio's e-mail cases (tests/peers/), including punycode domains."""
    check_unit(peer_analyzer, unit)
