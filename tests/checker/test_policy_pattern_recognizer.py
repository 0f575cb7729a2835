"""PolicyPatternRecognizer: a policy's own identifiers, optionally checksummed by python-stdnum."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from checker.config import ScanConfig
from checker.recognizers import PolicyPatternRecognizer
from checker.scan import Scanner
from policy.loader import parse_policy


def test_plain_pattern_keeps_its_score(make_detector: Callable[..., Callable[..., list]]) -> None:
    detect = make_detector(PolicyPatternRecognizer("kd", r"\bKD-\d{6}\b", score=0.8))
    assert detect("Kunde KD-123456 und KD-12345") == [("CUSTOM_PATTERN", "KD-123456", 0.8)]


def test_validator_drops_matches_with_a_wrong_checksum(
    make_detector: Callable[..., Callable[..., list]],
) -> None:
    detect = make_detector(PolicyPatternRecognizer("card", r"\b\d{16}\b", validator="luhn"))
    found = detect("Karten 4111111111111111 und 4111111111111112")
    assert [value for _, value, _ in found] == ["4111111111111111"]


def test_unknown_validator_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown checksum validator"):
        PolicyPatternRecognizer("x", r"\d+", validator="no.such.module")


def test_min_score_per_class_filters_weak_findings() -> None:
    text = "version: 1\norganization: O\ncontact: c\ndata_classes:\n"
    strict = parse_policy(
        text + "  ids: {patterns: [{regex: 'ID-\\d{4}', score: 0.6}], min_score: 0.7}\n", "p"
    )
    loose = parse_policy(
        text + "  ids: {patterns: [{regex: 'ID-\\d{4}', score: 0.6}], min_score: 0.5}\n", "p"
    )
    sample = "Vorgang ID-1234"
    assert Scanner(ScanConfig.from_policy(strict.policy)).scan_text(sample) == []
    assert len(Scanner(ScanConfig.from_policy(loose.policy)).scan_text(sample)) == 1


def test_presidio_never_skips_a_slow_policy_regex_before_the_scan_timeout() -> None:
    """Presidio drops a regex that runs past REGEX_TIMEOUT_SECONDS without a finding;
    the scan timeout (at most 10 minutes, then the fail mode) must always come first."""
    import presidio_analyzer.pattern_recognizer as presidio_patterns

    import checker.engine  # noqa: F401  (sets the limit)
    from proxy_addon.guard import SCAN_TIMEOUT_MS

    assert SCAN_TIMEOUT_MS[1] / 1000 < presidio_patterns.REGEX_TIMEOUT_SECONDS
