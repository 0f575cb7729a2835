"""What each recognizer must see before it can report anything: the prefilter's trigger tables.

One table for both processes. The scanner (a worker) looks up its recognizers' triggers
here by class name (checker/engine.py `recognizer_triggers`); the gateway builds the same
prefilter from the policy alone (`config_triggers`) to answer prompts without any trigger
itself. This module and everything it imports stay free of Presidio and spaCy, so the
gateway process never loads them (tests/checker/test_light_imports.py); the word lists come
from the recognizers' own light modules (credential_labels, health_terms, person_words),
and tests/checker/test_triggers.py checks that the class names and entities here are the
engine's and that both ways give the same triggers.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from checker.config import ScanConfig
from checker.recognizers.credential_labels import (
    CLI_LABELS,
    KEY_LABELS,
    PASSWORD_LABELS,
    PROSE_LABELS,
    USER_LABELS,
)
from checker.recognizers.health_terms import COMPOUND_ENDINGS, health_keywords
from checker.recognizers.person_words import CLOSING_RE
from policy.entities import PATTERN_ENTITY, TERM_ENTITY

# --- shapes -------------------------------------------------------------------------
# Patterns start with a literal or a character class, so the regex engine skips ahead
# quickly (a leading look-behind costs ~10x); what must stand before a hit is checked
# at the few hits only (`before`, matched against the text ending at the hit).


@dataclass(frozen=True)
class Shape:
    pattern: str
    before: str | None = None
    # A policy's own regex: it may backtrack for ever ("(a+)+$"), so it runs with a
    # timeout (the gateway's pre-check thread cannot be killed like a worker), and a
    # text it times out on counts as a hit on all of it (a worker scans it, under the
    # scan timeout). Leitplanke's own shapes are linear (tests/checker/test_linear_time).
    untrusted: bool = False


# Two digits close together: numbers, dates, IBANs, phone numbers (also spaced digit by
# digit), postcodes, ICD-10 codes, tax and document numbers, IPv4 addresses.
DIGITS = Shape(r"\d[^\d\n]{0,8}\d")
# One digit after a word (a house number: "Hauptstr. 5", "Am Markt 3") or before a
# capitalised word ("5 Baker Street").
# The look-behind after the first blank starts a match only at the first blank of a run:
# "[ \t]+\d" alone re-reads a long run of blanks from each of its positions (quadratic).
HOUSE_NUMBER = Shape(r"[ \t](?<![ \t][ \t])[ \t]*\d", before=r"[^\W\d_]\.?\Z")
HOUSE_NUMBER_FIRST = Shape(r"\d[A-Za-z]?[ \t]+[A-Z]")
IPV6 = Shape(r"::|:[0-9A-Fa-f]{1,4}:")
# A plate's letters, separator and first digit ("M-AB 123": "B 1").
KFZ = Shape(r"[A-Z][ -][1-9]")
# Short salutations as words, case-sensitive ("Ms" inside "Programms" is none).
SHORT_SALUTATION = Shape(r"(?:Hr|Fr|M(?:rs?|s|x|iss|me)|Sir)\b", before=r"(?:^|[^\w.])\Z")

# --- cue words (lower case, found as substrings; `after` must match right after) -----
# After the rest of the word (Cue.rest): "Vorname:", "Ansprechpartnerin :", JSON/code
# keys ("first_name": , vorname = ).
_LABEL_COLON = r"[\"'`]?[ \t]*(?::|=)"
_FOLLOWED_BY_NAME = r"(?:[ \t]*:)?[ \t]+[A-ZÀ-ÖØ-Þ\u0100-\u024f]"
_WORD_END = r"(?![\w-])"
_USER_SLASH = r"[\w-]{0,4}[ \t]*(?::[ \t]*)?[\w.@-]{1,40}[ \t]*/"  # "user x / pw"
_PASSWORD_VALUE = r"[\"']?\s*[:=]"
# "\s*(?:[:=]\s*)?", not "\s*[:=]?\s*": two adjacent \s* split a long run of blanks
# every possible way before failing (quadratic in the run).
_KEY_VALUE = r"[\"']?\s*(?:[:=]\s*)?[\"']?[A-Za-z0-9_\-+/][A-Za-z0-9_\-+/=.]{15}"


@dataclass(frozen=True)
class Cue:
    word: str  # lower case
    after: str | None = None  # regex that must match right after the word
    word_start: bool = False  # the word must not follow a letter, digit or "_"
    # The word may go on ("kolleg" in "Kollegin"): `after` must match after the rest of
    # the word (letters, digits, "_", "-"). Checked once per word, not once per cue in
    # it: "[\w-]*" in `after` would re-read a long word from every cue inside it.
    rest: bool = False


@dataclass(frozen=True)
class Triggers:
    patterns: tuple[Shape, ...] = ()
    cues: tuple[Cue, ...] = ()
    first_names: bool = False


def _cues(
    words: Iterable[str], after: str | None = None, word_start: bool = False, rest: bool = False
) -> tuple[Cue, ...]:
    return tuple(Cue(w.lower(), after, word_start, rest) for w in words)


_NUMBERS = Triggers(patterns=(DIGITS,))
# Document numbers count with a cue word (see de_id_card_recognizer.DOCUMENT_CUE_RE).
_NOT_LETTER = r"(?![^\W\d_])"
_DOCUMENTS = Triggers(
    patterns=(DIGITS,),
    cues=(
        *_cues(["ausweis", "dokumenten", "passport", "card", "mrz"]),
        *_cues(["perso", "npa"], _NOT_LETTER),
        Cue("pass", r"(?:nummer|[- ]?nr)?" + _NOT_LETTER),
        Cue("national", r"\s+id"),
        Cue("document", r"\s+(?:number|no)"),
    ),
)
# Key prefixes of secret_recognizer (found in lower case, checked in the original).
_SECRETS = (
    Cue("-----begin "),
    *_cues(["akia", "asia"], r"[A-Z0-9]{16}"),
    *_cues(["ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_", "eyj", "aiza"]),
    *_cues(["xoxa-", "xoxb-", "xoxp-", "xoxr-", "xoxs-", "sk_live_", "rk_live_"]),
    Cue("sk-", r"[A-Za-z0-9]"),
    *_cues(
        ["glpat-", "glptt-", "glrt-", "gldt-", "gloas-", "hooks.slack.com/", "npm_", "pypi-age"]
    ),
    *_cues(["hf_", "sk_test_", "rk_test_", "key-"], r"[0-9A-Za-z]{20}"),
    Cue("sg.", r"[A-Za-z0-9_-]{16}"),
    Cue(":aa", r"[A-Za-z0-9_-]{30}"),  # Telegram bot token "<id>:AA…"
    *_cues(["?sig=", "&sig="]),  # Azure SAS
)

# Person cues (see person_cue_recognizer): salutations and titles, labels before a
# colon, German phrases that name a person, closing formulas; greetings count only
# before a known first name, which the first-name trigger sees anyway.
_PERSON_STRONG = [
    "herr",
    "frau",
    "madame",
    "monsieur",
    "signor",
    "señor",
    "geb.",
    "geboren",
    "née",
    "nee",
    "prof.",
    "dr.",
    "dipl.-",
    "mag.",
    "ing.",
    "doktor",
    "professor",
]
_PERSON_LABELS = [
    "vorname",
    "nachname",
    "familienname",
    "ansprechp",
    "kontaktperson",
    "patient",
    "bewerber",
    "antragsteller",
    "mitarbeiter",
    "versicherte",
    "verfasser",
    "autor",
    "author",
    "inhaber",
    "vertretung",
    "sachbearbeiter",
    "teilnehmer",
    "name",
    "employee",
    "applicant",
    "kunde",
    "kundin",
    "empfänger",
    "absender",
    "kontakt",
    "customer",
    "recipient",
    "sender",
    "contact",
]
_PERSON_PHRASES: tuple[Cue, ...] = (
    Cue("hier", r"[ \t]+(?:schreibt|spricht|ist)"),
    *_cues(
        ["übernimmt", "vertritt", "kolleg", "ansprechpartner", "kontaktperson"],
        _FOLLOWED_BY_NAME,
        rest=True,
    ),
    *_cues(["vertretung", "kontoinhaber"], _FOLLOWED_BY_NAME, rest=True),
    Cue("vertreten", r"[ \t]+durch"),
    Cue("antwort", r"(?:en)?[ \t]+an"),
    Cue("schreib", r"(?:e|en)?[ \t]+(?:bitte[ \t]+)?an"),
    *_cues(["mail", "nachricht"], r"[ \t]+an"),
    *_cues(["rückmeldung", "rückruf"], r"[ \t]+(?:von|an)"),
    Cue("anruf", r"[ \t]+von"),
    *_cues(
        ["termin", "gespräch", "telefonat", "meeting", "treffen", "abstimmung", "rücksprache"],
        r"[ \t]+mit",
    ),
)

_HEALTH_TERMS, _HEALTH_LABELS = health_keywords()

TRIGGERS: dict[str, Triggers] = {
    "EmailRecognizer": Triggers(patterns=(Shape("@"),)),
    "IbanRecognizer": _NUMBERS,
    "CreditCardRecognizer": _NUMBERS,
    "PhoneNumberRecognizer": _NUMBERS,
    "IpAddressRecognizer": Triggers(patterns=(DIGITS, IPV6)),
    "StreetAddressRecognizer": Triggers(patterns=(DIGITS, HOUSE_NUMBER, HOUSE_NUMBER_FIRST)),
    "DateOfBirthRecognizer": _NUMBERS,
    "DeTaxIdRecognizer": _NUMBERS,
    "DeVatIdRecognizer": _NUMBERS,
    "DeSocialSecurityRecognizer": _NUMBERS,
    "DeHealthInsuranceRecognizer": _NUMBERS,
    "DeIdCardRecognizer": _DOCUMENTS,
    "DePassportRecognizer": _DOCUMENTS,
    "DeKfzRecognizer": Triggers(patterns=(DIGITS, KFZ)),
    "DeTaxNumberRecognizer": _NUMBERS,
    "DeLanrRecognizer": _NUMBERS,
    # Card numbers, and licence-like tokens after a cue (three digits in at most 14
    # characters: two of them at most 5 apart), always hold two digits close together.
    "DeDriversLicenseRecognizer": _NUMBERS,
    "SecretRecognizer": Triggers(cues=_SECRETS),
    "CredentialRecognizer": Triggers(
        cues=(
            Cue("://", r"[^\s:/@]{1,64}:[^\s@/]{3,128}@"),
            *_cues(PASSWORD_LABELS, _PASSWORD_VALUE),
            *_cues(KEY_LABELS, _KEY_VALUE),
            *_cues(PROSE_LABELS),
            # "username" is "user" + 4 letters: a bounded rest of the word, unlike "[\w-]*",
            # which re-read a long word from every cue in it (quadratic).
            *_cues(USER_LABELS, _USER_SLASH),
            *_cues(CLI_LABELS),
        )
    ),
    "HealthDataRecognizer": Triggers(
        patterns=(DIGITS,),
        cues=(
            *(
                Cue(word, _WORD_END if whole else None, word_start=True)
                for word, whole in _HEALTH_TERMS
            ),
            *_cues(_HEALTH_LABELS, r"[ \t]*:", word_start=True, rest=True),
            *_cues(COMPOUND_ENDINGS),  # inside a word: "Knieprellung", "Meniskus-OP"
        ),
    ),
    "PersonCueRecognizer": Triggers(
        patterns=(SHORT_SALUTATION, Shape(CLOSING_RE.pattern)),
        cues=(
            *_cues(_PERSON_STRONG, word_start=True),
            *_cues(_PERSON_LABELS, _LABEL_COLON, rest=True),
            *_PERSON_PHRASES,
            Cue("insert", r"[ \t]+into", word_start=True),  # SQL rows under name columns
            Cue("begin:vcard"),
        ),
        first_names=True,
    ),
}


# The entity each built-in recognizer reports, in checker/engine.py's order
# (tests/checker/test_triggers.py compares it with builtin_recognizers()).
BUILTIN_ENTITIES: dict[str, str] = {
    "EmailRecognizer": "EMAIL_ADDRESS",
    "IbanRecognizer": "IBAN_CODE",
    "CreditCardRecognizer": "CREDIT_CARD",
    "PhoneNumberRecognizer": "PHONE_NUMBER",
    "IpAddressRecognizer": "IP_ADDRESS",
    "StreetAddressRecognizer": "STREET_ADDRESS",
    "DateOfBirthRecognizer": "DATE_OF_BIRTH",
    "DeTaxIdRecognizer": "DE_TAX_ID",
    "DeVatIdRecognizer": "DE_VAT_ID",
    "DeSocialSecurityRecognizer": "DE_SOCIAL_SECURITY",
    "DeHealthInsuranceRecognizer": "DE_HEALTH_INSURANCE",
    "DeIdCardRecognizer": "DE_ID_CARD",
    "DePassportRecognizer": "DE_PASSPORT",
    "DeKfzRecognizer": "DE_KFZ",
    "DeTaxNumberRecognizer": "DE_TAX_NUMBER",
    "DeDriversLicenseRecognizer": "DE_DRIVERS_LICENSE",
    "DeLanrRecognizer": "DE_LANR",
    "SecretRecognizer": "SECRET",
    "CredentialRecognizer": "SECRET",
    "HealthDataRecognizer": "HEALTH_DATA",
    "PersonCueRecognizer": "PERSON",
}

# Presidio's PatternRecognizer compiles every pattern with these flags unless told
# otherwise (its `global_regex_flags` default; the policy's recognizers keep it).
PATTERN_RECOGNIZER_FLAGS = re.DOTALL | re.MULTILINE | re.IGNORECASE


def term_triggers(terms: Iterable[str]) -> Triggers:
    """A policy's `terms:` are their own triggers (Presidio's deny list)."""
    return Triggers(cues=_cues(terms))


def pattern_triggers(regexes: Iterable[str], flags: int) -> Triggers:
    """A policy's own regexes are their own triggers, with the flags Presidio uses for them."""
    letters = "".join(
        letter
        for letter, flag in (("i", re.IGNORECASE), ("s", re.DOTALL), ("m", re.MULTILINE))
        if flags & flag
    )
    scoped = (f"(?{letters}:{r})" if letters else r for r in regexes)
    return Triggers(patterns=tuple(Shape(r, untrusted=True) for r in scoped))


def wanted_entities(config: ScanConfig) -> set[str]:
    return (
        config.entities()
        | ({TERM_ENTITY} if any(r.terms for r in config.classes.values()) else set())
        | ({PATTERN_ENTITY} if any(r.patterns for r in config.classes.values()) else set())
    )


def config_triggers(config: ScanConfig) -> list[Triggers]:
    """The triggers of the recognizers a Scanner for `config` runs (with the prefilter on
    and no spaCy model), built from the policy alone: no recognizer, no Presidio."""
    wanted = wanted_entities(config)
    found = [TRIGGERS[name] for name, entity in BUILTIN_ENTITIES.items() if entity in wanted]
    for rules in config.classes.values():
        if rules.terms and TERM_ENTITY in wanted:
            found.append(term_triggers(rules.terms))
        if PATTERN_ENTITY in wanted:
            found += [
                pattern_triggers([spec.regex], PATTERN_RECOGNIZER_FLAGS) for spec in rules.patterns
            ]
    return found
