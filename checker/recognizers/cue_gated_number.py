"""Shared behaviour of the German identifier recognizers: checksum gate + whole-word cues."""

from __future__ import annotations

import re
from typing import Any, ClassVar

from presidio_analyzer import Pattern, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts

from checker.recognizers.cue_context import boost_by_cue


class CueGatedNumber:
    """Mixin placed before a Presidio PatternRecognizer subclass.

    A match whose check digit holds keeps its low base score (returning True from
    validate_result would lift it to 1.0 and skip the context gate); a wrong check digit
    drops it; a whole-word cue within CUE_BEFORE / CUE_AFTER characters adds the boost.
    """

    ENTITY: ClassVar[str]
    NUMBER_PATTERNS: ClassVar[tuple[Pattern, ...]]
    CUE_WORDS: ClassVar[tuple[str, ...]]  # for Presidio's own (substring) enhancer
    CUE_RE: ClassVar[re.Pattern[str]]
    CUE_BEFORE: ClassVar[int] = 60
    CUE_AFTER: ClassVar[int] = 40
    MAX_SCORE: float

    def __init__(
        self,
        supported_language: str = "de",
        supported_entity: str | None = None,
        patterns: list[Pattern] | None = None,
        context: list[str] | None = None,
        name: str | None = None,
    ) -> None:
        init: Any = super().__init__  # the Presidio recognizer next in the MRO
        init(
            patterns=patterns if patterns else list(self.NUMBER_PATTERNS),
            context=context if context else list(self.CUE_WORDS),
            supported_language=supported_language,
            supported_entity=supported_entity or self.ENTITY,
            name=name,
        )

    def checksum_ok(self, text: str) -> bool:
        raise NotImplementedError

    def validate_result(self, pattern_text: str) -> bool | None:
        """Drop numbers with a wrong check digit; keep valid ones at the base score."""
        return None if self.checksum_ok(pattern_text) else False

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
            self.CUE_RE,
            before=self.CUE_BEFORE,
            after=self.CUE_AFTER,
            extra=" ".join(context or []),
            max_score=self.MAX_SCORE,
        )
