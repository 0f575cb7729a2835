"""EmailRecognizer: Presidio's e-mail pattern and TLD check, as a linear scan; the peers'
cases and a differential check against Presidio's regex.

All addresses are fictitious.
"""

from __future__ import annotations

import random
from collections.abc import Callable

import pytest
import regex
from presidio_analyzer import AnalyzerEngine
from presidio_analyzer.predefined_recognizers import EmailRecognizer as PresidioEmailRecognizer

from checker.engine import EMAIL_CONTEXT
from checker.evaluation.peer_cases import Unit
from checker.recognizers import EmailRecognizer
from checker.recognizers.email_recognizer import MAX_DOMAIN, MAX_LOCAL, email_spans
from tests.checker.peer_helpers import check_unit, peer_units

# Presidio's pattern with the flags PatternRecognizer compiles it with.
PRESIDIO_PATTERN = regex.compile(
    PresidioEmailRecognizer.PATTERNS[0].regex, regex.DOTALL | regex.MULTILINE | regex.IGNORECASE
)


@pytest.fixture(scope="module")
def detect(make_detector: Callable[..., Callable[..., list]]) -> Callable[..., list]:
    return make_detector(EmailRecognizer())


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Bitte an anna.weber@example.de schreiben.", ["anna.weber@example.de"]),
        ("Kontakt:anna.weber@example.de,Tel:030", ["anna.weber@example.de"]),
        ("<j.o'neil+crm@mail.example.co.uk>", ["j.o'neil+crm@mail.example.co.uk"]),
        ("x@y.de", ["x@y.de"]),
        ("j.mueller@xn--mller-kva.de", ["j.mueller@xn--mller-kva.de"]),
        ("jürgen@bäckerei-müller.de", ["jürgen@bäckerei-müller.de"]),
        ("a@b@example.com", ["b@example.com"]),  # the pattern's leftmost match
        ("a@b.com@c.org", ["a@b.com"]),
        ("-foo@example.com", ["foo@example.com"]),  # starts at a word boundary
        ("a@example.com,b@example.org", ["a@example.com", "b@example.org"]),
    ],
)
def test_finds_addresses(detect: Callable[..., list], text: str, found: list[str]) -> None:
    assert [(entity, value) for entity, value, _ in detect(text)] == [
        ("EMAIL_ADDRESS", v) for v in found
    ]


@pytest.mark.parametrize(
    "text",
    [
        "user@localhost",  # no dot in the domain
        "user@example.invalidtld",  # no public suffix: the TLD check drops it
        ".anna@.example.de",
        "anna.@example.de",  # the local part ends with a dot
        "@@@@",
        "a@" * 50,
        "Preis @ 5 EUR",
    ],
)
def test_rejects_non_addresses(detect: Callable[..., list], text: str) -> None:
    assert detect(text) == []


def test_same_spans_as_presidios_pattern_on_random_text() -> None:
    """Differential: wherever the RFC length limits do not cut, the scan returns what
    Presidio's regex returns (finditer: leftmost, non-overlapping)."""
    alphabet = [*"ab.-@_ !+ä1,'\n", "é", "ß", "x", "c", "o", "m", "@", "."]
    r = random.Random(5)
    for _ in range(20_000):
        text = "".join(r.choices(alphabet, k=r.randint(1, 40)))
        want = [m.span() for m in PRESIDIO_PATTERN.finditer(text)]
        assert email_spans(text) == want, text


def test_an_overlong_local_part_is_cut_to_the_rfc_limit() -> None:
    text = "x" * 100 + "@example.de"
    assert email_spans(text) == [(100 - MAX_LOCAL, len(text))]


def test_an_overlong_domain_is_cut_to_the_rfc_limit() -> None:
    assert email_spans("anna@" + "a" * 300 + ".de") == []  # no dot within the limit
    text = "anna@" + ".".join(["abcdefghi"] * 40)  # 399 characters of domain
    assert email_spans(text) == [(0, 5 + MAX_DOMAIN)]


@pytest.fixture(scope="module")
def peer_analyzer(make_analyzer: Callable[..., AnalyzerEngine]) -> AnalyzerEngine:
    return make_analyzer(EmailRecognizer(supported_language="de", context=EMAIL_CONTEXT))


@pytest.mark.parametrize("unit", peer_units("EMAIL_ADDRESS"))
def test_peer_cases(peer_analyzer: AnalyzerEngine, unit: Unit) -> None:
    """Presidio's e-mail cases (tests/peers/), including punycode domains."""
    check_unit(peer_analyzer, unit)
