"""Scanner: Presidio + our recognizers mapped to the policy's data classes."""

from __future__ import annotations

import pytest

from checker.config import ScanConfig
from checker.scan import WINDOW, Scanner
from policy.loader import load_policy, parse_policy

IBAN = "DE89 3704 0044 0532 0130 00"


@pytest.fixture(scope="module")
def scanner() -> Scanner:
    return Scanner(ScanConfig.from_policy(load_policy().policy))


@pytest.mark.parametrize(
    ("text", "entity", "data_class", "span"),
    [
        (f"Bitte an {IBAN} überweisen.", "IBAN_CODE", "personal", IBAN),
        (
            "Schreib an erika.mustermann@beispiel.de bitte.",
            "EMAIL_ADDRESS",
            "personal",
            "erika.mustermann@beispiel.de",
        ),
        ("Kreditkarte: 4111 1111 1111 1111", "CREDIT_CARD", "personal", "4111 1111 1111 1111"),
        ("Ruf mich an: Tel. +49 30 1234567", "PHONE_NUMBER", "personal", "+49 30 1234567"),
        ("Sehr geehrter Herr Müller, anbei die Unterlagen.", "PERSON", "personal", "Müller"),
        ("OPENAI_API_KEY=sk-proj-" + "Ab3dE" * 10, "SECRET", "secrets", "sk-proj-" + "Ab3dE" * 10),
    ],
)
def test_finds_entity_in_german_text(
    scanner: Scanner, text: str, entity: str, data_class: str, span: str
) -> None:
    findings = [f for f in scanner.scan_text(text) if f.entity_type == entity]
    assert findings, f"{entity} not found in {text!r}"
    (f,) = findings
    assert f.data_class == data_class
    assert text[f.start : f.end] == span
    assert f.value == span and f.score >= 0.5


def test_clean_business_text_has_no_findings(scanner: Scanner) -> None:
    text = (
        "Fasse die Vorteile von Wärmepumpen in drei Sätzen zusammen. Die Besprechung ist am "
        "03.04.2025 um 14:30 Uhr, Raum 2.17, Budget 1.234,56 EUR, Version 3.11.7."
    )
    assert scanner.scan_text(text) == []


def test_phone_inside_iban_is_not_a_second_finding(scanner: Scanner) -> None:
    types = [f.entity_type for f in scanner.scan_text(f"IBAN {IBAN}")]
    assert types == ["IBAN_CODE"]


def test_parts_keep_their_index(scanner: Scanner) -> None:
    findings = scanner.scan(["nichts", f"IBAN {IBAN}"])
    assert [(f.part, f.entity_type) for f in findings] == [(1, "IBAN_CODE")]


def test_long_text_is_scanned_in_windows_with_exact_offsets(scanner: Scanner) -> None:
    filler = "Lorem ipsum dolor sit amet. " * (WINDOW // 14)
    text = filler + f"IBAN {IBAN} " + filler + "mail: erika@beispiel.de"
    findings = scanner.scan_text(text)
    assert [(f.entity_type, text[f.start : f.end]) for f in findings] == [
        ("IBAN_CODE", IBAN),
        ("EMAIL_ADDRESS", "erika@beispiel.de"),
    ]


def test_policy_terms_patterns_and_min_score() -> None:
    policy = parse_policy(
        """
version: 1
organization: O
contact: c
data_classes:
  personal: {entities: [EMAIL_ADDRESS], min_score: 0.5}
  confidential: {terms: ["Projekt Falke"], patterns: ['KD-\\d{6}']}
""",
        "p.yaml",
    ).policy
    scanner = Scanner(ScanConfig.from_policy(policy))
    text = "Zum projekt falke: Kunde KD-123456 schreibt an a.b@beispiel.de"
    found = {(f.entity_type, f.data_class, text[f.start : f.end]) for f in scanner.scan_text(text)}
    assert found == {
        ("CUSTOM_TERM", "confidential", "projekt falke"),
        ("CUSTOM_PATTERN", "confidential", "KD-123456"),
        ("EMAIL_ADDRESS", "personal", "a.b@beispiel.de"),
    }


def test_only_entities_the_policy_names_are_reported() -> None:
    policy = parse_policy(
        "version: 1\norganization: O\ncontact: c\ndata_classes: {p: {entities: [EMAIL_ADDRESS]}}\n",
        "p.yaml",
    ).policy
    scanner = Scanner(ScanConfig.from_policy(policy))
    assert [f.entity_type for f in scanner.scan_text(f"a@b.de {IBAN}")] == ["EMAIL_ADDRESS"]


def test_finding_repr_hides_the_value(scanner: Scanner) -> None:
    (f,) = scanner.scan_text(f"IBAN {IBAN}")
    assert "3704" not in repr(f) and "3704" not in str(f.to_contract())
