"""Checksum-validated recognizer for the German KVNR (entity ``DE_HEALTH_INSURANCE``)."""

from __future__ import annotations

import re

from presidio_analyzer import Pattern, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts
from presidio_analyzer.predefined_recognizers import (
    DeHealthInsuranceRecognizer as _UpstreamDeHealthInsuranceRecognizer,
)

from checker.recognizers.cue_context import boost_by_cue

# Whole words: upstream's substring cues "dak"/"egk"/"gkv" fire inside other words.
_CUE_RE = re.compile(
    r"(?<![^\W\d_])(?:"
    r"kranken(?:versicherten|versicherungs)[- ]?(?:nummer|nr)|versicherten[- ]?(?:nummer|nr)"
    r"|kv[- ]?(?:nummer|nr)|kvnr|krankenkasse|krankenversicherung|gesundheitskarte"
    r"|versichertenkarte|egk|gkv|aok|tk|barmer|dak|ikk|bkk|hkk|kkh"
    r"|health\s+insurance(?:\s+(?:number|no|card|id))?|insurance\s+(?:number|no|id)"
    r"|insured\s+person(?:'s)?\s+number|member\s+id"
    r")(?![^\W\d_])",
    re.IGNORECASE,
)
_PREFIX_CHARS = 60
_SUFFIX_CHARS = 40  # "… ist meine Krankenversichertennummer"

_BASE_SCORE = 0.4
_PATTERNS = (
    Pattern(
        "Krankenversichertennummer (letter + 9 digits)",
        r"(?<!\w)(?-i:[A-Z])\d{9}(?!\w)(?![.,]\d)",
        _BASE_SCORE,
    ),
)
_CONTEXT = (
    "krankenversichertennummer",
    "krankenversicherungsnummer",
    "versichertennummer",
    "krankenkasse",
    "krankenversicherung",
    "gesundheitskarte",
    "versichertenkarte",
)
_KVNR_RE = re.compile(r"[A-Z]\d{9}")


def calc_check_digit(first_nine: str) -> str:
    """The check digit for a KVNR's letter + 8 digits.

    Rule (GKV-Spitzenverband, Richtlinien zum Aufbau der Krankenversichertennummer
    nach § 290 SGB V): replace the letter by its two-digit position (A=01 … Z=26),
    multiply the 10 digits alternately by 1 and 2, add the digit sums (Quersummen)
    of the products; the check digit is that total modulo 10. python-stdnum has no
    module for this number, hence the own implementation.
    """
    letter = first_nine[0].upper()
    digits = f"{ord(letter) - ord('A') + 1:02d}" + first_nine[1:9]
    total = sum(sum(divmod(int(d) * (1 + i % 2), 10)) for i, d in enumerate(digits))
    return str(total % 10)


def is_valid(number: str) -> bool:
    """Whether ``number`` is a KVNR (unchangeable part) with a correct check digit."""
    return _KVNR_RE.fullmatch(number) is not None and calc_check_digit(number) == number[9]


class DeHealthInsuranceRecognizer(_UpstreamDeHealthInsuranceRecognizer):
    """Recognize the German Krankenversichertennummer (KVNR), gated by context.

    Format (10 characters, the unchangeable part printed on the eGK): an upper-case
    letter, 8 digits, a check digit (§ 290 SGB V, GKV-Spitzenverband rule; see
    ``calc_check_digit``). Fictitious example (check digit computed):
    ``Versichertennummer A123456780``; the GKV's own example ``A000500015`` verifies.

    Why context-gated: "letter + 9 digits" is also the shape of article, order and
    ticket numbers, and the check digit lets one in ten through. So the pattern
    scores 0.4; a whole-word cue (Krankenversichertennummer, Versichertennummer,
    KVNR, Krankenkasse, eGK, AOK/TK/Barmer/DAK, health insurance number, ...) adds
    0.35 → 0.75.

    Deviations from upstream (Presidio 2.2.366): the check-digit rule is the same,
    but upstream returns ``True`` for a valid number, which Presidio turns into
    score 1.0 without any context (every tenth article number "B123456789"-style
    becomes a health-data finding); its ``[A-Z]`` also matches lower case because
    PatternRecognizer is case-insensitive by default; its cue words are matched as
    substrings ("dak", "egk").
    """

    def __init__(
        self,
        supported_language: str = "de",
        supported_entity: str = "DE_HEALTH_INSURANCE",
        patterns: list[Pattern] | None = None,
        context: list[str] | None = None,
        name: str | None = None,
    ) -> None:
        super().__init__(
            patterns=patterns if patterns else list(_PATTERNS),
            context=context if context else list(_CONTEXT),
            supported_language=supported_language,
            supported_entity=supported_entity,
            name=name,
        )

    def validate_result(self, pattern_text: str) -> bool | None:
        """Drop numbers with a wrong check digit; keep valid ones at the base score."""
        return None if is_valid(pattern_text) else False

    def enhance_using_context(
        self,
        text: str,
        raw_recognizer_results: list[RecognizerResult],
        other_raw_recognizer_results: list[RecognizerResult],
        nlp_artifacts: NlpArtifacts,
        context: list[str] | None = None,
    ) -> list[RecognizerResult]:
        """Boost a match when a whole-word cue stands shortly before or after it."""
        return boost_by_cue(
            text,
            raw_recognizer_results,
            _CUE_RE,
            before=_PREFIX_CHARS,
            after=_SUFFIX_CHARS,
            extra=" ".join(context or []),
            max_score=self.MAX_SCORE,
        )
