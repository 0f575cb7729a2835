"""Find the parts of a text that can hold a finding, so the engine analyses only those.

Every recognizer needs something cheap to see before it can report anything: two digits
close together for numbers, dates and IBANs, ``@`` for an e-mail address, a cue word for
names and health data, a key prefix for a secret. The prefilter looks for all of them in
one pass — regular expressions for shapes, Aho-Corasick (pyahocorasick, C) for the
~1,000 cue words, a set lookup for the first-name list — and returns windows around the
hits; the scanner runs Presidio (spaCy, every recognizer, context enhancement) on the
windows only. A prompt without a hit costs one pass over its characters.

Triggers are a *necessary* condition per recognizer, kept next to their recognizer's own
rules here; `tests/checker/test_prefilter.py` checks on the evaluation corpora that every
finding of the full scan lies in a window and that windowed and full scans agree. A
recognizer without triggers (e.g. spaCy NER when a real model is installed) switches the
prefilter off: then everything is scanned, as before.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import ahocorasick
import regex
from presidio_analyzer import EntityRecognizer, Pattern, PatternRecognizer

from checker.recognizers.credential_recognizer import CredentialRecognizer
from checker.recognizers.health_data_recognizer import COMPOUND_ENDINGS, health_keywords
from checker.recognizers.name_lexicon import name_lexicon
from checker.recognizers.person_cue_recognizer import (
    AMBIGUOUS_FIRST_NAMES,
    CLOSING_RE,
    load_first_names,
)
from checker.recognizers.spans import AfterWord
from checker.recognizers.table_columns import parse_tables

# Characters of context kept on each side of a hit. The widest look-around of any
# recognizer is 60 characters (cue words before a value) and Presidio's context
# enhancer looks 5 tokens back; 120 leaves room for long tokens.
MARGIN = 120
# Window edges move outward to a line break this close, else to a blank: line-anchored
# rules (closing formulas, "the name fills its line") see whole lines.
SNAP = 120
# Above this share of the text the windows save little: scan everything.
MAX_COVERAGE = 0.6
# A policy regex that runs longer than this on one text makes the whole text a window.
UNTRUSTED_TIMEOUT_S = 0.5

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
            *_cues(CredentialRecognizer.PASSWORD_LABELS, _PASSWORD_VALUE),
            *_cues(CredentialRecognizer.KEY_LABELS, _KEY_VALUE),
            *_cues(CredentialRecognizer.PROSE_LABELS),
            # "username" is "user" + 4 letters: a bounded rest of the word, unlike "[\w-]*",
            # which re-read a long word from every cue in it (quadratic).
            *_cues(CredentialRecognizer.USER_LABELS, _USER_SLASH),
            *_cues(CredentialRecognizer.CLI_LABELS),
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


def triggers_for(
    recognizer: EntityRecognizer, term_prefix: str, pattern_prefix: str
) -> Triggers | None:
    """The triggers of one recognizer, or None when it has none (prefilter off)."""
    name = str(getattr(recognizer, "name", ""))
    if name.startswith(term_prefix) and isinstance(recognizer, PatternRecognizer):
        return Triggers(cues=_cues(recognizer.deny_list or ()))
    if name.startswith(pattern_prefix) and isinstance(recognizer, PatternRecognizer):
        # A policy's own regex is its own trigger, with the flags Presidio uses for it.
        flags = "".join(
            letter
            for letter, flag in (("i", re.IGNORECASE), ("s", re.DOTALL), ("m", re.MULTILINE))
            if (recognizer.global_regex_flags or 0) & flag
        )
        patterns: list[Pattern] = getattr(recognizer, "patterns", [])
        scoped = (f"(?{flags}:{p.regex})" if flags else p.regex for p in patterns)
        return Triggers(patterns=tuple(Shape(p, untrusted=True) for p in scoped))
    return TRIGGERS.get(type(recognizer).__name__)


@dataclass
class Prefilter:
    """Windows of a text worth analysing; built once per engine."""

    triggers: Sequence[Triggers]
    _patterns: list[tuple[re.Pattern[str], re.Pattern[str] | None]] = field(init=False)
    _untrusted: list[Any] = field(init=False)  # regex.Pattern: policy regexes
    _automaton: ahocorasick.Automaton = field(init=False)
    _first_names: frozenset[str] = field(init=False)  # and surnames: any name word
    _lower_first: frozenset[str] = field(init=False)  # first names also found lower-case

    def __post_init__(self) -> None:
        shapes = sorted({p for t in self.triggers for p in t.patterns}, key=repr)
        self._patterns = [
            (_compile(s.pattern), None if s.before is None else re.compile(s.before))
            for s in shapes
            if not s.untrusted
        ]
        self._untrusted = [regex.compile(s.pattern, regex.MULTILINE) for s in shapes if s.untrusted]
        cues: dict[str, set[tuple[bool, str | None]]] = {}
        anywhere: set[str] = set()  # words that may also stand inside another word
        for t in self.triggers:
            for cue in t.cues:
                if cue.word:
                    cues.setdefault(cue.word, set()).add((cue.rest, cue.after))
                    if not cue.word_start:
                        anywhere.add(cue.word)
        self._automaton = ahocorasick.Automaton()
        for word, afters in cues.items():
            # No condition wins over any condition; several conditions: any of them.
            always = any(after is None for _, after in afters)
            here = _any_of(a for rest, a in afters if a is not None and not rest)
            after_word = _any_of(a for rest, a in afters if a is not None and rest)
            conditions = None if always else (here, after_word)
            self._automaton.add_word(word, (len(word), conditions, word not in anywhere))
        if cues:
            self._automaton.make_automaton()
        if any(t.first_names for t in self.triggers):
            lexicon = name_lexicon()
            self._first_names = (
                load_first_names()
                | AMBIGUOUS_FIRST_NAMES
                | lexicon.first
                | lexicon.surnames
                | lexicon.homographs
            )
            self._lower_first = lexicon.first
        else:
            self._first_names = frozenset()
            self._lower_first = frozenset()

    def hits(self, text: str) -> list[tuple[int, int]]:
        """Spans of every trigger in `text`."""
        spans: list[tuple[int, int]] = []
        for pattern, before in self._patterns:
            for m in pattern.finditer(text):
                start = m.start()
                if before is None or before.search(text, max(0, start - 8), start):
                    spans.append(m.span())
        for untrusted in self._untrusted:
            try:
                spans += [m.span() for m in untrusted.finditer(text, timeout=UNTRUSTED_TIMEOUT_S)]
            except TimeoutError:
                return [(0, len(text))]
        if len(self._automaton):
            lowered = text.lower()
            # str.lower() keeps offsets except for a few characters ("İ" → "i̇"); then
            # the hit positions could drift, so such texts get no cue windows trimmed.
            if len(lowered) != len(text):
                return [(0, len(text))]
            after_word = AfterWord(text)
            for end, (length, conditions, word_start) in self._automaton.iter(lowered):
                start = end - length + 1
                if (
                    word_start
                    and start > 0
                    and (text[start - 1].isalnum() or text[start - 1] == "_")
                ):
                    continue
                if conditions is None:
                    spans.append((start, end + 1))
                    continue
                here, rest = conditions
                if (here is not None and here.match(text, end + 1)) or (
                    rest is not None and after_word.matches(rest, end + 1)
                ):
                    spans.append((start, end + 1))
        if self._first_names:
            for m in _NAME_WORD_RE.finditer(text):
                word = m.group()
                if word in self._first_names or (
                    word.islower() and word[:1].upper() + word[1:] in self._lower_first
                ):
                    spans.append(m.span())
                elif word.isupper() and len(word) > 1 and word.title() in self._first_names:
                    spans.append(m.span())  # "MÜLLER-ŞAHİN, DERYA"
        return spans

    def windows(self, text: str) -> list[tuple[int, int]]:
        """Merged windows around the hits, whole tables where a window touches one;
        `[(0, len(text))]` when the windows would cover most of the text anyway."""
        hits = self.hits(text)
        if not hits:
            return []
        merged = _merge(_snap(text, s - MARGIN, e + MARGIN) for s, e in hits)
        if _covered(merged) > MAX_COVERAGE * len(text):
            return [(0, len(text))]
        tables = [
            (t.header[0].start, t.rows[-1][-1].end)
            for t in parse_tables(text)
            if t.header and t.rows
        ]
        if tables:
            # Tables are disjoint and in text order: a window meets the tables from the
            # first that ends after its start on (bisect, not every table per window).
            ends = [t_end for _, t_end in tables]
            grown = []
            for start, end in merged:
                i = bisect.bisect_right(ends, start)
                while i < len(tables) and tables[i][0] < end:
                    start, end = min(start, tables[i][0]), max(end, tables[i][1])
                    i += 1
                grown.append(_snap(text, start, end))
            merged = _merge(grown)
        if _covered(merged) > MAX_COVERAGE * len(text):
            return [(0, len(text))]
        return merged


def _any_of(patterns: Iterable[str]) -> re.Pattern[str] | None:
    ordered = sorted(patterns)
    return re.compile("|".join(f"(?:{p})" for p in ordered)) if ordered else None


# Capitalised, lower-case and upper-case words (first names in chat, surnames on forms).
_NAME_WORD_RE = re.compile(
    r"(?<![\w-])[A-Za-zÀ-ÖØ-öø-ÿ\u0100-\u024f][a-zß-öø-ÿ\u0100-\u024f]+|(?<![\w-])[A-ZÀ-ÖØ-Þ\u0100-\u024f]{2,}"
)


def _compile(pattern: str) -> re.Pattern[str]:
    try:
        return re.compile(pattern, re.MULTILINE)
    except re.error:
        # Presidio compiles with the `regex` module, which knows more syntax.
        return regex.compile(pattern, regex.MULTILINE)


def _snap(text: str, start: int, end: int) -> tuple[int, int]:
    start, end = max(0, start), min(len(text), end)
    if start > 0:
        line = text.rfind("\n", max(0, start - SNAP), start)
        if line >= 0:
            start = line + 1
        else:
            blank = max(
                text.rfind(" ", max(0, start - 40), start),
                text.rfind("\t", max(0, start - 40), start),
            )
            start = blank + 1 if blank >= 0 else start
    if end < len(text):
        line = text.find("\n", end, end + SNAP)
        if line >= 0:
            end = line
        else:
            blanks = [
                i for i in (text.find(" ", end, end + 40), text.find("\t", end, end + 40)) if i >= 0
            ]
            end = min(blanks) if blanks else end
    return start, end


def _merge(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _covered(spans: list[tuple[int, int]]) -> int:
    return sum(end - start for start, end in spans)


def build_prefilter(
    recognizers: Iterable[EntityRecognizer], term_prefix: str, pattern_prefix: str
) -> Prefilter | None:
    """A prefilter for these recognizers, or None if any of them has no triggers."""
    triggers = []
    for recognizer in recognizers:
        found = triggers_for(recognizer, term_prefix, pattern_prefix)
        if found is None:
            return None
        triggers.append(found)
    return Prefilter(triggers)
