"""Shared behaviour of the German identifier recognizers: checksum gate + whole-word cues."""

from __future__ import annotations

from typing import Any, ClassVar

from presidio_analyzer import Pattern

from checker.recognizers.cue_context import WholeWordCues


class CueGatedNumber(WholeWordCues):
    """Mixin placed before a Presidio PatternRecognizer subclass.

    A match whose check digit holds keeps its low base score (returning True from
    validate_result would lift it to 1.0 and skip the context gate); a wrong check digit
    drops it; a whole-word cue within CUE_BEFORE / CUE_AFTER characters adds the boost.
    """

    ENTITY: ClassVar[str]
    NUMBER_PATTERNS: ClassVar[tuple[Pattern, ...]]
    CUE_WORDS: ClassVar[tuple[str, ...]]  # for Presidio's own (substring) enhancer

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
