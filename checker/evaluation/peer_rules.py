"""Which of the peers' expectations are debatable, and what Leitplanke does with them.

A unit (peer_cases.Unit) is *debatable* when the peers' expectation and the evidence
disagree, or when the value alone carries no evidence of its type. Each rule names its
reason and Leitplanke's choice (``ours``): "positive" (reported), "negative" (not
reported) or another entity type (reported as that). The peer suite lists every
debatable unit with its choice and whether the engine held to it; the others count
towards the targets. docs/evaluation.md explains the choices.

The checksum authority is python-stdnum where it has a module (IBAN, USt-IdNr,
Steuer-IdNr, Steuernummer); otherwise the rule documented in the recognizer (ICAO/PAuswV
document numbers, KVNR, RV number, LANR, Führerschein).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from stdnum import iban
from stdnum.de import idnr, stnr, vat

from checker.evaluation.peer_cases import Unit, bare
from checker.recognizers import de_drivers_license_recognizer as licence
from checker.recognizers import de_health_insurance_recognizer as kvnr
from checker.recognizers import de_kfz_recognizer as kfz
from checker.recognizers import de_lanr_recognizer as lanr
from checker.recognizers import de_social_security_recognizer as rvnr
from checker.recognizers.de_id_card_recognizer import DOCUMENT_CUE_RE, is_valid_document_number
from checker.recognizers.email_recognizer import is_role_mailbox

POSITIVE = "positive"
NEGATIVE = "negative"

ID_CARD_LETTERS = "LMNPRTVWXY"
PASSPORT_LETTERS = "CFGHJKZ"


@dataclass(frozen=True)
class Judgement:
    reason: str
    ours: str  # POSITIVE, NEGATIVE or the entity type Leitplanke reports instead
    # Where the choice is made: "recognizer", or "normalize" when the scanner's
    # normalisation layer (checker/normalize/) makes it and the recognizer alone keeps
    # the peer's expectation.
    layer: str = "recognizer"


def _vat(value: str) -> bool:
    return value[:2].upper() == "DE" and bool(vat.is_valid(value))


def _iban(value: str) -> bool:
    # The country code written as one word: "G T82 TRAJ …" compacts to a valid IBAN in
    # python-stdnum, but nobody writes one that way.
    return value[:2].isalpha() and bool(iban.is_valid(value))


def _document(letters: str) -> Callable[[str], bool]:
    return lambda value: bool(is_valid_document_number(value.upper(), letters))


# entity -> (name of the authority, validity of a value)
AUTHORITIES: dict[str, tuple[str, Callable[[str], bool]]] = {
    "IBAN_CODE": ("python-stdnum (iban)", _iban),
    "DE_VAT_ID": ("python-stdnum (de.vat)", _vat),
    "DE_TAX_ID": ("python-stdnum (de.idnr)", lambda v: bool(idnr.is_valid(v))),
    "DE_TAX_NUMBER": ("python-stdnum (de.stnr)", lambda v: bool(stnr.is_valid(v))),
    "DE_ID_CARD": ("the PAuswV number format", _document(ID_CARD_LETTERS)),
    "DE_PASSPORT": ("the PassV number format", _document(PASSPORT_LETTERS)),
    "DE_HEALTH_INSURANCE": ("the § 290 SGB V check digit", lambda v: kvnr.is_valid(v.upper())),
    "DE_SOCIAL_SECURITY": ("the VKVV check digit", lambda v: rvnr.is_valid(v.upper())),
    "DE_LANR": ("the KBV check digit", lanr.is_valid),
    "DE_DRIVERS_LICENSE": ("the card licence format and check character", licence.is_valid),
    "DE_KFZ": (
        "the FZV plate format (at most 8 letters and digits)",
        lambda v: kfz.is_valid(v.upper()),
    ),
}
# The other document type a value of this one can be (the first letter decides).
OTHER_DOCUMENT = {"DE_ID_CARD": "DE_PASSPORT", "DE_PASSPORT": "DE_ID_CARD"}
# Upper case only: the documents print capitals, and lower-case plate shapes are prose
# ("bis zu 100"); types with a check digit accept lower case.
UPPER_ONLY = {"DE_ID_CARD", "DE_PASSPORT", "DE_KFZ"}

_TRIM = ".,;:!?()[]{}\"'"


def _candidates(text: str) -> list[str]:
    """Runs of up to eight whitespace-separated tokens, trimmed of punctuation: where a
    value can stand in a text that gives no span for it."""
    tokens = [(m.start(), m.end()) for m in re.finditer(r"\S+", text)]
    found = []
    for i in range(len(tokens)):
        for j in range(i, min(i + 8, len(tokens))):
            found.append(text[tokens[i][0] : tokens[j][1]].strip(_TRIM))
    return found


def authority_says(unit: Unit) -> bool | None:
    """Whether the authority holds the unit's value valid (None: no authority). A
    positive's gold span is checked as it stands; elsewhere any run of tokens counts
    (a negative "DE DE 246595415" holds the valid "DE 246595415")."""
    if unit.entity not in AUTHORITIES:
        return None
    _name, valid = AUTHORITIES[unit.entity]
    if unit.positive and unit.span is not None:
        return valid(unit.value)
    return any(valid(c) for c in _candidates(unit.value))


# Cases whose debate no general rule captures: (source, text or number, value) -> judgement.
OVERRIDES: dict[tuple[str, str, str], Judgement] = {
    (
        "presidio",
        "My US number is (415) 555-0132, and my international one is 91-415-555-0132",
        "91-415-555-0132",
    ): Judgement(
        "India's country code without '+' or '00' (91-415-…): Presidio reads it with its "
        "default region IN; Leitplanke's national formats are those of DACH, its "
        "neighbours, GB and US (the international form +91 … is found anywhere)",
        NEGATIVE,
    ),
    ("presidio", "Default 0.0.0.0", "0.0.0.0"): Judgement(
        "the unspecified address 0.0.0.0 identifies no device: like loopback and "
        "broadcast addresses it is reported with an IP cue (or as the network 0.0.0.0/0), "
        "not after the word 'Default'",
        NEGATIVE,
    ),
    ("presidio", "192.168.1.1.1", "192.168.1.1"): Judgement(
        "five dotted numbers: an OID or version number rather than an address with a "
        "stray '.1'; Presidio reports the first four",
        NEGATIVE,
    ),
    (
        "presidio",
        "Slash as iban separator: AL47/2121/1009/0000/0002/3569/8741",
        "Slash as iban separator: AL47/2121/1009/0000/0002/3569/8741",
    ): Judgement(
        "slashes between an IBAN's groups: the check digits still hold, and a gateway "
        "must not let an account number through for its separators (issue 19: "
        "identifiers with any separator are found)",
        POSITIVE,
        layer="normalize",
    ),
    ("stdnum", "1123456789 0", "1123456789 0"): Judgement(
        "the doctest separates the check digit with a space to show the digit rule; "
        "no printed or typed grouping looks like that",
        NEGATIVE,
    ),
    ("stdnum", "1112345678 6", "1112345678 6"): Judgement(
        "the doctest separates the check digit with a space to show the digit rule; "
        "no printed or typed grouping looks like that",
        NEGATIVE,
    ),
    ("stdnum", "DE136,695 976", "DE136,695 976"): Judgement(
        "a comma inside the number: python-stdnum's test of its cleaning function, "
        "not a written form of a USt-IdNr",
        NEGATIVE,
    ),
}

_LOWER = re.compile(r"[a-zäöü]")


def _override(unit: Unit) -> Judgement | None:
    where = unit.value if unit.source == "stdnum" else unit.text
    return OVERRIDES.get((unit.source, where, unit.value))


def judge(unit: Unit) -> Judgement | None:
    """The debate about a unit, or None when the peer's expectation stands."""
    if (found := _override(unit)) is not None:
        return found
    if unit.entity == "EMAIL_ADDRESS" and unit.positive and is_role_mailbox(unit.value):
        return Judgement(
            "a role mailbox (info@, support@, noreply@) is an organisation's, not a "
            "person's: docs/evaluation.md, organisation contact data (issue 15)",
            NEGATIVE,
        )
    if unit.note.startswith("expected only at"):
        return Judgement(f"Presidio {unit.note}, i.e. hardly any evidence", NEGATIVE)
    if unit.note.startswith("expected only with leniency"):
        plus = unit.value.lstrip().startswith("+")
        return Judgement(
            f"Presidio's phone test {unit.note}; its default leniency does not expect it",
            POSITIVE if plus else NEGATIVE,
        )
    known_value = unit.span is not None or bare(unit)
    if unit.entity in UPPER_ONLY and unit.positive and known_value and _LOWER.search(unit.value):
        return Judgement(
            "lower case: the document prints capitals, and lower-case matching turns "
            "prose into numbers ('bis zu 100')",
            NEGATIVE,
        )
    if unit.entity in OTHER_DOCUMENT and known_value:
        return _document_debate(unit)
    said = authority_says(unit)
    if said is not None and said != unit.positive:
        return _authority_debate(unit, said)
    if unit.note.startswith("Presidio's test with"):
        return Judgement(unit.note, POSITIVE if unit.positive else NEGATIVE)
    if unit.positive:
        return _evidence_debate(unit)
    return None


def _document_debate(unit: Unit) -> Judgement | None:
    """ID card and passport numbers: the first letter decides the type; a value is
    reported after a cue, or alone when its random part (last five) holds a letter."""
    value = unit.value.upper()
    own = AUTHORITIES[unit.entity][1](value)
    other = OTHER_DOCUMENT[unit.entity]
    as_other = not own and AUTHORITIES[other][1](value)
    cued = DOCUMENT_CUE_RE.search(unit.text) is not None
    alone = bare(unit) and any(c.isalpha() for c in value[4:9])
    shown = cued or alone
    name = AUTHORITIES[unit.entity][0]
    if not unit.positive:
        if own and shown:
            return Judgement(
                f"{name} holds it valid (the printed number has no check digit; the ICAO "
                "digit exists only in the machine-readable zone); the peer expects the "
                "opposite",
                POSITIVE,
            )
        return None
    if own and shown:
        return None
    if as_other and shown:
        return Judgement(
            f"'{value[0]}' is a first letter of {other} numbers (BMI): the type follows "
            "the number, not the test file",
            other,
        )
    if own or as_other:
        return Judgement(
            "a letter and eight digits alone: no check digit in the printed number, and "
            "its random last five characters are all digits in only 0.7 % of real "
            "numbers, while article and order numbers look like this; reported with a cue",
            NEGATIVE,
        )
    return Judgement(f"{name} holds it invalid; the peer expects the opposite", NEGATIVE)


def _authority_debate(unit: Unit, valid: bool) -> Judgement:
    name = AUTHORITIES[unit.entity][0]
    verdict = "valid" if valid else "invalid"
    reason = f"{name} holds it {verdict}; the peer expects the opposite"
    if unit.entity in OTHER_DOCUMENT and not valid:
        other = OTHER_DOCUMENT[unit.entity]
        if AUTHORITIES[other][1](unit.value):
            letter = unit.value[:1].upper()
            return Judgement(
                f"'{letter}' is a first letter of {other} numbers (BMI): the type follows "
                "the number, not the test file",
                other,
            )
    if unit.entity == "DE_DRIVERS_LICENSE" and not valid:
        cued = licence.CUE_RE.search(unit.text) is not None
        return Judgement(
            "not the card licence format (Land letter A-P, district digits, check "
            "character; specimen B072RRE2I55); with a licence cue any licence-like "
            "token counts (older and foreign licences)",
            POSITIVE if cued else NEGATIVE,
        )
    return Judgement(reason, POSITIVE if valid else NEGATIVE)


def _evidence_debate(unit: Unit) -> Judgement | None:
    """Positives whose value alone is no evidence of its type."""
    if unit.entity == "DE_LANR" and bare(unit):
        return Judgement(
            "a bare 9-digit number with a 1-in-10 check digit is no evidence of a "
            "doctor number (Presidio's docstring agrees that context words are needed)",
            NEGATIVE,
        )
    if unit.entity == "DE_TAX_NUMBER" and (bare(unit) or unit.variant == "prose"):
        slashed = "/" in unit.value and unit.variant != "prose"
        return Judgement(
            "a Steuernummer has no check digit python-stdnum knows, and every 10-digit "
            "number fits some Land's format; alone, only the slash forms are reported",
            POSITIVE if slashed else NEGATIVE,
        )
    if unit.entity == "DE_TAX_ID" and unit.variant == "prose":
        return Judgement(
            "11 digits in a sentence without a cue: the check digit lets one in ten "
            "order or phone numbers through",
            NEGATIVE,
        )
    return None
