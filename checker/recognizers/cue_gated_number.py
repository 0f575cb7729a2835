"""Shared behaviour of the German identifier recognizers: checksum gate + whole-word cues."""

from __future__ import annotations

from typing import Any, ClassVar

from presidio_analyzer import Pattern, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts

from checker.recognizers.cue_context import WholeWordCues, boost
from checker.recognizers.standalone import is_standalone
from checker.recognizers.table_columns import column_header


class CueGatedNumber(WholeWordCues):
    """Mixin placed before a Presidio PatternRecognizer subclass.

    A match whose check digit holds keeps its low base score (returning True from
    validate_result would lift it to 1.0 and skip the context gate); a wrong check digit
    drops it; a whole-word cue within CUE_BEFORE / CUE_AFTER characters, or as the
    header of the table column the match stands in, adds the boost. Without a cue, a
    match that stands alone (standalone.is_standalone: the whole message, line or table
    cell) scores STANDALONE_SCORE when the recognizer sets one.
    """

    ENTITY: ClassVar[str]
    NUMBER_PATTERNS: ClassVar[tuple[Pattern, ...]]
    CUE_WORDS: ClassVar[tuple[str, ...]]  # for Presidio's own (substring) enhancer
    STANDALONE_SCORE: ClassVar[float | None] = None
    # False: CUE_RE covers every cue word, so Presidio's own (lemma, substring) enhancer
    # is told to leave the results alone — it costs a pass over the tokens per result,
    # and a recognizer whose candidates are every 9-13 digit number has many.
    PRESIDIO_CONTEXT: ClassVar[bool] = True

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

    def stands_alone(self, text: str, start: int, end: int) -> bool:
        """Whether a match is evidence enough alone (see standalone.is_standalone)."""
        return is_standalone(text, start, end)

    def enhance_using_context(
        self,
        text: str,
        raw_recognizer_results: list[RecognizerResult],
        other_raw_recognizer_results: list[RecognizerResult],
        nlp_artifacts: NlpArtifacts,
        context: list[str] | None = None,
    ) -> list[RecognizerResult]:
        """Cue words nearby or as the column header boost; else standalone values rise."""
        results = super().enhance_using_context(
            text, raw_recognizer_results, other_raw_recognizer_results, nlp_artifacts, context
        )
        for result in results:
            if result.recognition_metadata.get(RecognizerResult.IS_SCORE_ENHANCED_BY_CONTEXT_KEY):
                continue
            if self.CUE_RE.search(header := column_header(text, result.start)):
                boost(result, header, self.MAX_SCORE)
            elif self.STANDALONE_SCORE is not None and self.stands_alone(
                text, result.start, result.end
            ):
                result.score = max(result.score, self.STANDALONE_SCORE)
                if result.analysis_explanation is not None:
                    result.analysis_explanation.append_textual_explanation_line(
                        "stands alone (whole message, line or table cell)"
                    )
                    result.analysis_explanation.set_improved_score(result.score)
        if not self.PRESIDIO_CONTEXT:
            done = RecognizerResult.IS_SCORE_ENHANCED_BY_CONTEXT_KEY
            for result in results:
                result.recognition_metadata[done] = True
        return results
