"""Checksum-validated recognizer for the German USt-IdNr (entity ``DE_VAT_ID``)."""

from __future__ import annotations

import re

from presidio_analyzer import Pattern, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts
from presidio_analyzer.predefined_recognizers import (
    DeVatIdRecognizer as _UpstreamDeVatIdRecognizer,
)
from stdnum.de import vat

from checker.recognizers.cue_gated_number import CueGatedNumber
from checker.recognizers.standalone import other_number_label_before

# Whole-word cues, German and English (case-insensitive). Whole words matter:
# upstream's substring cue "vat" also fires in "privat"/"Privatadresse".
_CUE_RE = re.compile(
    r"(?<![^\W\d_])(?:"
    r"ust[- ]?id(?:[- ]?nr)?|ust[- ]?identifikationsnummer"
    r"|umsatzsteuer[- ]?id(?:entifikationsnummer)?(?:[- ]?nr)?"
    r"|umsatzsteueridentifikationsnummer|mwst[- ]?id(?:[- ]?nr)?"
    r"|vat(?:[- ]?(?:id|no|number|reg(?:istration)?(?:\s+no|\s+number)?))?"
    r"|vat\s+identification\s+number|vies"
    r")(?![^\W\d_])",
    re.IGNORECASE,
)
_PREFIX_CHARS = 60
_SUFFIX_CHARS = 40  # "… ist die USt-IdNr. unseres Lieferanten"

_SCORE = 0.5  # "DE" + 9 digits, checksum valid: the prefix makes the shape self-describing
_LOWER_SEPARATED_SCORE = 0.4  # "de 136 695 976": "de" is a word in many languages
_START = r"(?<!\w)"
_END = r"(?!\w)(?![.,\-]?\d)"
# After the prefix: "DE136…", "DE 136…", "DE-136…", "DE.136…", "DE - 113866163".
_AFTER_PREFIX = r"(?:[ ]?[.\-][ ]?|[ ]{1,2})"
# Nine digits, the first not 0, one separator allowed before each of the other eight
# ("813 11 38 75", "221.304.969", "136-695.976"); one way to match, so linear.
_DIGITS = r"[1-9](?:[ .\-]?\d){8}"
_PATTERNS = (
    Pattern(
        "USt-IdNr (DE + 9 digits, separators allowed)",
        _START + r"(?-i:DE)" + _AFTER_PREFIX + "?" + _DIGITS + _END,
        _SCORE,
    ),
    Pattern(
        "USt-IdNr (de + 9 digits, lower case)",
        _START + r"(?-i:de|De|dE)[1-9]\d{8}" + _END,
        _SCORE,
    ),
    Pattern(
        "USt-IdNr (de + 9 digits with separators, lower case)",
        _START + r"(?-i:de|De|dE)" + _AFTER_PREFIX + "?" + r"(?!\d{9}(?!\w))" + _DIGITS + _END,
        _LOWER_SEPARATED_SCORE,
    ),
)
# Presidio's own enhancer matches these as substrings of lemmas: only safe ones.
_CONTEXT = (
    "umsatzsteuer",
    "ust-idnr",
    "ustidnr",
    "ust-id",
    "ustid",
)


class DeVatIdRecognizer(CueGatedNumber, _UpstreamDeVatIdRecognizer):
    """Recognize the German Umsatzsteuer-Identifikationsnummer (USt-IdNr).

    Format: ``DE`` + 9 digits, first digit not 0, the ninth digit an ISO 7064
    MOD 11,10 check digit (``stdnum.de.vat``). Accepted compact (``DE123456789``) and
    as written on invoices and imprints (python-stdnum's "found online" list): a
    space, dash, dot or `` - `` after the prefix, and a space, dot or dash between any
    two digits (``DE 123 456 789``, ``DE-123-456-789``, ``DE.123.456.789``,
    ``DE - 113866163``, ``DE 813 11 38 75``). Fictitious example (check digit
    computed): ``USt-IdNr.: DE123456788``.

    Scores: with an upper-case ``DE`` (or glued lower-case ``de123…``) and a valid
    checksum 0.5 on its own: the country prefix plus checksum make the shape
    self-describing. A lower-case ``de`` with separators scores 0.4 and needs a cue or
    to stand alone (message, line or table cell → 0.5): "de" is a word in Spanish,
    French, Dutch and Portuguese ("más de 136 695 976"). A whole-word cue (USt-IdNr,
    Umsatzsteuer-ID, VAT ID, VAT no, ...) adds 0.35 → 0.85 / 0.75.

    Deviations from upstream (Presidio 2.2.366):

    * upstream keeps a number with a *wrong* checksum at its pattern score (0.5,
      i.e. reported) unless ``strict_checksum=True``; here a wrong checksum drops
      the match.
    * upstream returns ``True`` for a valid checksum, which Presidio turns into
      score 1.0 and so skips any context gate; here ``None`` keeps the base score.
    * upstream accepts a leading 0 after ``DE`` (stdnum and the BZSt do not) and,
      because PatternRecognizer matches case-insensitively by default, ``de 123 …``
      in any sentence; it misses irregular groupings (``DE 813 11 38 75``).
    * upstream's context list is substring-matched and over-broad ("vat" hits
      "privat", "rechnung"/"invoice"/"finanzamt" are on every invoice).
    """

    ENTITY = "DE_VAT_ID"
    NUMBER_PATTERNS = _PATTERNS
    CUE_WORDS = _CONTEXT
    CUE_RE = _CUE_RE
    CUE_BEFORE = _PREFIX_CHARS
    CUE_AFTER = _SUFFIX_CHARS
    STANDALONE_SCORE = 0.5

    def checksum_ok(self, text: str) -> bool:
        return bool(vat.is_valid(text))

    def enhance_using_context(
        self,
        text: str,
        raw_recognizer_results: list[RecognizerResult],
        other_raw_recognizer_results: list[RecognizerResult],
        nlp_artifacts: NlpArtifacts,
        context: list[str] | None = None,
    ) -> list[RecognizerResult]:
        """As CueGatedNumber; a number right after a label of another kind of number
        ("Artikelnummer DE 298 173 644") is not self-describing: it needs a cue."""
        results = super().enhance_using_context(
            text, raw_recognizer_results, other_raw_recognizer_results, nlp_artifacts, context
        )
        for result in results:
            enhanced = result.recognition_metadata.get(
                RecognizerResult.IS_SCORE_ENHANCED_BY_CONTEXT_KEY
            )
            if not enhanced and other_number_label_before(text, result.start):
                result.score = min(result.score, _LOWER_SEPARATED_SCORE)
        return results
