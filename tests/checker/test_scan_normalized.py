"""Scanner with normalisation: every bypass of issue 19 class 4 is found, at the
original offsets, and values split across parts are found in every part they touch."""

from __future__ import annotations

import base64

import pytest

from checker.config import ScanConfig
from checker.precheck import any_trigger, light_prefilter
from checker.scan import Scanner
from policy.loader import load_policy

IBAN = "DE89370400440532013000"
EMAIL = "max.mustermann@example.com"
ZW = "\u200b"


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


@pytest.fixture(scope="module")
def config() -> ScanConfig:
    return ScanConfig.from_policy(load_policy().policy)


@pytest.fixture(scope="module")
def scanner(config: ScanConfig) -> Scanner:
    return Scanner(config)


def _fullwidth(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def _math_digits(text: str) -> str:
    return "".join(chr(0x1D7CE + int(c)) if c.isdigit() else c for c in text)


# (id, text, entity type, the original span the finding must cover, its value)
BYPASSES = [
    ("zero-width", "IBAN: " + ZW.join(IBAN) + " danke", "IBAN_CODE", ZW.join(IBAN), IBAN),
    (
        "zero-width-joiners",
        "IBAN: DE89\u200d3704\u200c0044\u20600532\ufeff0130\u180e00",
        "IBAN_CODE",
        "DE89\u200d3704\u200c0044\u20600532\ufeff0130\u180e00",
        IBAN,
    ),
    (
        "nbsp",
        "IBAN: DE89\u00a03704\u00a00044\u00a00532\u00a00130\u00a000",
        "IBAN_CODE",
        "DE89\u00a03704\u00a00044\u00a00532\u00a00130\u00a000",
        "DE89 3704 0044 0532 0130 00",
    ),
    (
        "soft-hyphens",
        "IBAN: DE89\u00ad3704\u00ad0044\u00ad0532\u00ad0130\u00ad00",
        "IBAN_CODE",
        "DE89\u00ad3704\u00ad0044\u00ad0532\u00ad0130\u00ad00",
        IBAN,
    ),
    ("fullwidth-digits", "IBAN: " + _fullwidth(IBAN), "IBAN_CODE", _fullwidth(IBAN), IBAN),
    ("math-digits", "IBAN: " + _math_digits(IBAN), "IBAN_CODE", _math_digits(IBAN), IBAN),
    ("cyrillic", "IBAN: D\u0415" + IBAN[2:], "IBAN_CODE", "D\u0415" + IBAN[2:], IBAN),
    ("lower-case", "iban: " + IBAN.lower(), "IBAN_CODE", IBAN.lower(), IBAN),
    ("dots", "IBAN: DE89.3704.0044.0532.0130.00", "IBAN_CODE", "DE89.3704.0044.0532.0130.00", IBAN),
    ("space-between-characters", "IBAN: " + " ".join(IBAN), "IBAN_CODE", " ".join(IBAN), IBAN),
    (
        "at-dot-brackets",
        "Mail: max.mustermann [at] example [dot] com",
        "EMAIL_ADDRESS",
        "max.mustermann [at] example [dot] com",
        EMAIL,
    ),
    (
        "at-dot-parens",
        "Mail: max.mustermann(at)example(dot)com",
        "EMAIL_ADDRESS",
        "max.mustermann(at)example(dot)com",
        EMAIL,
    ),
    (
        "fullwidth-at",
        "Mail: max.mustermann\uff20example.com",
        "EMAIL_ADDRESS",
        "max.mustermann\uff20example.com",
        EMAIL,
    ),
    (
        "html-entities",
        "Mail: max.mustermann&#64;example&#x2E;com",
        "EMAIL_ADDRESS",
        "max.mustermann&#64;example&#x2E;com",
        EMAIL,
    ),
    (
        "html-named",
        "Mail: max.mustermann&commat;example.com",
        "EMAIL_ADDRESS",
        "max.mustermann&commat;example.com",
        EMAIL,
    ),
    (
        "percent",
        "Kontakt: max.mustermann%40example.com",
        "EMAIL_ADDRESS",
        "max.mustermann%40example.com",
        EMAIL,
    ),
    (
        "percent-spaces",
        "?iban=DE89%203704%200044%200532%200130%2000",
        "IBAN_CODE",
        "DE89%203704%200044%200532%200130%2000",
        "DE89 3704 0044 0532 0130 00",
    ),
    (
        "base64",
        "Daten: " + _b64(f"Meine IBAN ist {IBAN}"),
        "IBAN_CODE",
        _b64(f"Meine IBAN ist {IBAN}"),
        IBAN,
    ),
    (
        "data-url",
        '<img src="data:text/plain;base64,' + _b64(f"Mail an {EMAIL}") + '">',
        "EMAIL_ADDRESS",
        _b64(f"Mail an {EMAIL}"),
        EMAIL,
    ),
    (
        "json-escapes",
        '{"x": "' + "".join(f"\\u{ord(c):04x}" for c in IBAN) + '"}',
        "IBAN_CODE",
        "".join(f"\\u{ord(c):04x}" for c in IBAN),
        IBAN,
    ),
]


@pytest.mark.parametrize(
    ("text", "entity", "original", "value"), [pytest.param(*b[1:], id=b[0]) for b in BYPASSES]
)
def test_bypass_is_found_at_its_original_span(
    scanner: Scanner, text: str, entity: str, original: str, value: str
) -> None:
    findings = [f for f in scanner.scan_text(text) if f.entity_type == entity]
    assert len(findings) == 1, findings
    (finding,) = findings
    assert text[finding.start : finding.end] == original
    assert finding.value == value


def test_value_split_across_two_messages(scanner: Scanner) -> None:
    parts = ["Meine IBAN ist DE89 3704 0044", "0532 0130 00 – danke!"]
    findings = scanner.scan(parts)
    assert [(f.entity_type, f.part, f.split_across) for f in findings] == [
        ("IBAN_CODE", 0, (0, 1)),
        ("IBAN_CODE", 1, (0, 1)),
    ]  # the phone-number shape in the second part is the IBAN's end, not a finding
    first, second = findings
    assert parts[0][first.start : first.end] == "DE89 3704 0044"
    assert parts[1][second.start : second.end] == "0532 0130 00"
    assert first.value == second.value == IBAN  # joined, then normalised as one


def test_value_split_across_content_parts_and_obfuscated(scanner: Scanner) -> None:
    parts = ["Schreib an max.mustermann [at]", " example [dot] com"]
    findings = scanner.scan(parts)
    assert {(f.part, f.entity_type) for f in findings} == {
        (0, "EMAIL_ADDRESS"),
        (1, "EMAIL_ADDRESS"),
    }
    assert all(f.split_across == (0, 1) and f.value == EMAIL for f in findings)


def test_value_spread_over_many_short_parts(scanner: Scanner) -> None:
    """An IBAN as an array of single characters: one piece per part."""
    findings = scanner.scan(list(IBAN))
    assert [f.part for f in findings] == list(range(len(IBAN)))
    assert all(f.entity_type == "IBAN_CODE" and (f.start, f.end) == (0, 1) for f in findings)


def test_long_parts_are_joined_at_their_ends(scanner: Scanner) -> None:
    filler = "Ein langer Absatz ohne Besonderheiten. " * 200
    parts = [filler + "IBAN DE89 3704 0044", "0532 0130 00 " + filler, filler]
    findings = scanner.scan(parts)
    assert [(f.part, f.split_across) for f in findings] == [(0, (0, 1)), (1, (0, 1))]
    assert parts[0][findings[0].start :] == "DE89 3704 0044"


@pytest.mark.parametrize(
    "parts",
    [
        ["Bestellung 2024", "0815 ist unterwegs"],
        ["Version 3.11", "7 wurde installiert", "am 12.03.", "2025 um 14:30"],
        ["Raum 2.17", "Budget 1.234,56 EUR", "Hallo", "Welt"],
        ["Wie spät ist es?", "Es ist 10", "30 Uhr."],
    ],
)
def test_clean_parts_do_not_join_into_findings(scanner: Scanner, parts: list[str]) -> None:
    assert scanner.scan(parts) == []


def test_within_part_findings_are_not_reported_twice(scanner: Scanner) -> None:
    findings = scanner.scan([f"IBAN {IBAN}", f"Mail {EMAIL}"])
    assert [(f.part, f.entity_type, f.split_across) for f in findings] == [
        (0, "IBAN_CODE", ()),
        (1, "EMAIL_ADDRESS", ()),
    ]


@pytest.mark.parametrize(
    "text",
    [
        "Fasse die Vorteile von Wärmepumpen in drei Sätzen zusammen. Grüße aus München … "
        "Straße, Maß und Fußgängerzone.",
        "Siehe https://example.com/docs/Mein%20Dokument%20final.pdf?x=1&y=2 für Details.",
        "Logo: data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk"
        "+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==",
        "Please look at example.com and meet me at noon. z. B. am 3. 4. und d.h. i.d.R.",
        "Version 1.2.3.4.5, Build 2024.11.3, Datum 03.04.2025, Umsatz 12.345.678 EUR",
    ],
)
def test_hard_negatives_stay_clean(scanner: Scanner, text: str) -> None:
    assert scanner.scan_text(text) == []


def test_a_jwt_stays_one_secret(scanner: Scanner) -> None:
    header = base64.urlsafe_b64encode(b'{"alg":"HS256","typ":"JWT"}').decode().rstrip("=")
    payload = base64.urlsafe_b64encode(b'{"sub":"' + EMAIL.encode() + b'"}').decode().rstrip("=")
    token = f"{header}.{payload}.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"
    text = f"Authorization: Bearer {token}"
    found = {(f.entity_type, text[f.start : f.end]) for f in scanner.scan_text(text)}
    assert ("SECRET", token) in found or any(t == "SECRET" and token in s for t, s in found)
    assert any(t == "EMAIL_ADDRESS" and payload in s for t, s in found)  # the payload's e-mail


def test_precheck_sees_what_the_scanner_sees(config: ScanConfig) -> None:
    """The gateway answers trigger-less prompts without a worker: it must normalise too."""
    prefilter = light_prefilter(config)
    if prefilter is None:
        pytest.skip("a spaCy model is installed: every prompt goes to a worker")
    assert prefilter.windows("max.mustermann [at] example [dot] com")
    assert prefilter.windows("max.mustermann&commat;example.com")
    assert not prefilter.windows("Hallo Welt, wie geht es dir heute?")
    assert any_trigger(prefilter, list(IBAN))  # no part alone has two digits
    assert not any_trigger(prefilter, ["Hallo", "Welt"])


@pytest.mark.parametrize(
    "parts",
    [
        ["model, messages, role, content", f"{EMAIL} bitte anschreiben"],
        ["user", EMAIL],
        ["Hallo", f"{EMAIL} und {IBAN}"],
    ],
)
def test_a_whole_value_with_a_neighbour_glued_on_is_not_split(
    scanner: Scanner, parts: list[str]
) -> None:
    """The seam text reads "user" + "max@…" as "usermax@…": that is the whole address
    of the second part, not a value split across both (redaction would rewrite "user")."""
    findings = scanner.scan(parts)
    assert findings and all(f.part == 1 and not f.split_across for f in findings)
