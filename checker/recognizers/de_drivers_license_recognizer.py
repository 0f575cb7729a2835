"""Recognizer for the German Führerscheinnummer (entity ``DE_DRIVERS_LICENSE``)."""

from __future__ import annotations

import re

from presidio_analyzer import Pattern, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts
from presidio_analyzer.predefined_recognizers import (
    DeFuehrerscheinRecognizer as _UpstreamDeFuehrerscheinRecognizer,
)

from checker.recognizers.cue_gated_number import CueGatedNumber
from checker.recognizers.results import pattern_result

# Card licences (since 1999): authority key (Land letter A-P in alphabetical order of
# the Länder, 2-digit district, 1 character for the office), 5-character serial
# (0-9, then A-Z), check character (0-9 or X), issue number.
_CARD_RE = re.compile(r"[A-P]\d{2}[0-9A-Z][0-9A-Z]{5}[0-9X][0-9A-Z]")
_VALUES = {c: i for i, c in enumerate("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")}


def calc_check_character(first_nine: str) -> str:
    """The 10th character of a card licence number from the nine before it.

    Rule (as for the vehicle identification number): the characters' values (digits
    at face value, A=10 ... Z=35) times the weights 9, 8, ... 1, summed, modulo 11;
    a remainder of 10 is written ``X``. The specimen licence ``B072RRE2I55``
    verifies: 467 mod 11 = 5. python-stdnum has no module for this number.
    """
    total = sum(_VALUES[c] * w for c, w in zip(first_nine, range(9, 0, -1), strict=True))
    remainder = total % 11
    return "X" if remainder == 10 else str(remainder)


def is_valid(number: str) -> bool:
    """Whether ``number`` is a card licence number with a correct check character."""
    return _CARD_RE.fullmatch(number) is not None and calc_check_character(number[:9]) == number[9]


# Whole-word cues, German and English. "Führerschein" alone counts: a licence number is
# what follows it; "Klasse B" after it has no digits and is no candidate.
CUE_RE = re.compile(
    r"(?<![^\W\d_])(?:"
    r"führerscheine?(?:nummern?|[- ]?nr)?|fahrerlaubnis(?:nummern?|[- ]?nr)?"
    r"|führerscheininhaber(?:in)?|kartenführerschein"
    r"|driv(?:er'?s|ing)[- ]licen[cs]e(?:\s+(?:number|no))?|licen[cs]e\s+(?:number|no)"
    r")(?![^\W\d_])",
    re.IGNORECASE,
)
_PREFIX_CHARS = 60
_SUFFIX_CHARS = 40  # "… ist meine Führerscheinnummer"
_BASE_SCORE = 0.4
_CARD_PATTERN = Pattern(
    "Führerscheinnummer (card licence, 11 characters)",
    r"(?<![\w-])(?-i:[A-P]\d{2}[0-9A-Z]{6}[0-9X][0-9A-Z])(?![\w-])",
    _BASE_SCORE,
)
# Right after a cue: "Führerscheinnummer: X", "Fahrerlaubnis-Nr. X", "driver's license
# number is X" — any licence-like token (older paper licences and foreign licences
# have other formats): 6-14 capitals and digits with at least three digits.
_AFTER_CUE_RE = re.compile(
    r"\.?[ \t]*(?:(?:nr|nummer|no|number)\.?[ \t]*)?(?:[:#=]|lautet|ist|is)?[ \t]*"
    r"(?-i:([A-Z0-9]{6,14}))(?![\w-])",
    re.IGNORECASE,
)
_CUED_PATTERN = Pattern(
    "Führerscheinnummer (any licence number right after a cue)",
    _AFTER_CUE_RE.pattern,
    _BASE_SCORE,
)
_CONTEXT = ("führerschein", "fahrerlaubnis")


class DeDriversLicenseRecognizer(CueGatedNumber, _UpstreamDeFuehrerscheinRecognizer):
    """Recognize the number of a German driving licence (Führerscheinnummer, field 5).

    Format of the card licence (since 1999), after the specimen ``B072RRE2I55``:
    authority key (Land letter ``A``-``P`` in the alphabetical order of the Länder,
    two district digits, one character for the office), a five-character serial
    (``0-9``, then ``A-Z``), a check character (weights 9…1 over the first nine,
    A=10 … Z=35, modulo 11, 10 written ``X``) and the issue number. Fictitious example
    (check character computed): ``Führerscheinnummer: B072RRE2I55``.

    Scores: a card number with a valid check character scores 0.4 and needs a cue
    (Führerschein, Führerscheinnummer, Fahrerlaubnis, driving licence, driver's license
    number, ...) nearby or as its column header (0.75), or to stand alone in its
    message, line or table cell (0.5). Right after a cue, any licence-like token
    (6-14 capitals and digits, at least three digits) scores 0.75: paper licences
    issued before 1999 are valid until 2033 and have free-form numbers, and foreign
    licences have their own formats.

    Deviations from upstream (Presidio 2.2.366): upstream expects two letters, eight
    digits and a check character (``BO12345678A``), which no German card licence has
    (the second character is a district digit), and it checks nothing; with
    Presidio's case-insensitive matching it also takes lower-case words.
    """

    ENTITY = "DE_DRIVERS_LICENSE"
    NUMBER_PATTERNS = (_CARD_PATTERN,)
    CUE_WORDS = _CONTEXT
    CUE_RE = CUE_RE
    CUE_BEFORE = _PREFIX_CHARS
    CUE_AFTER = _SUFFIX_CHARS
    PRESIDIO_CONTEXT = False
    STANDALONE_SCORE = 0.5

    def checksum_ok(self, text: str) -> bool:
        return is_valid(text)

    def analyze(
        self,
        text: str,
        entities: list[str],
        nlp_artifacts: NlpArtifacts | None = None,
        regex_flags: int | None = None,
    ) -> list[RecognizerResult]:
        """Card numbers anywhere (pattern + check character), and any licence-like
        token right after a cue word."""
        results = super().analyze(text, entities, nlp_artifacts, regex_flags)
        taken = {(r.start, r.end) for r in results}
        for cue in CUE_RE.finditer(text):
            match = _AFTER_CUE_RE.match(text, cue.end())
            if match is None:
                continue
            token = match.group(1)
            span = match.span(1)
            if span in taken or sum(c.isdigit() for c in token) < 3:
                continue
            # The cue right before it lifts it to 0.75 in enhance_using_context.
            results.append(pattern_result(self, _CUED_PATTERN, *span, _BASE_SCORE, None))
            taken.add(span)
        return results
