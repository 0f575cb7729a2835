"""Whole-word context cues for recognizers whose cue words are too short for Presidio.

Presidio's context enhancer matches cue words as substrings of lemmas, so "tel"
would fire in "Hotel" and "tin" in "Meeting". Recognizers with short cues boost
their results here instead and tell Presidio not to boost them again.
"""

from __future__ import annotations

import re
from typing import ClassVar

from presidio_analyzer import RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts

BOOST = 0.35  # the same as Presidio's LemmaContextAwareEnhancer default


def boost_by_cue(
    text: str,
    results: list[RecognizerResult],
    cue: re.Pattern[str],
    before: int,
    after: int = 0,
    extra: str = "",
    max_score: float = 1.0,
) -> list[RecognizerResult]:
    """Raise each result's score when `cue` matches within `before`/`after` characters of
    it (or in `extra`, the caller-supplied context words)."""
    for result in results:
        window_before = text[max(0, result.start - before) : result.start]
        window_after = text[result.end : result.end + after] if after else ""
        found = cue.search(window_before) or cue.search(window_after) or cue.search(extra)
        if found is not None:
            boost(result, found.group(0), max_score)
    return results


def boost(result: RecognizerResult, word: str, max_score: float = 1.0) -> None:
    """Raise one result by the context boost because of cue `word`, and say so."""
    result.score = min(result.score + BOOST, max_score)
    if result.analysis_explanation is not None:
        result.analysis_explanation.set_supportive_context_word(word)
        result.analysis_explanation.set_improved_score(result.score)
    # Tells Presidio's enhancer not to add its boost on top.
    result.recognition_metadata[RecognizerResult.IS_SCORE_ENHANCED_BY_CONTEXT_KEY] = True


class WholeWordCues:
    """Mixin placed before a Presidio recognizer: its context boost comes from CUE_RE,
    matched as whole words within CUE_BEFORE / CUE_AFTER characters of each result."""

    CUE_RE: ClassVar[re.Pattern[str]]
    CUE_BEFORE: ClassVar[int] = 60
    CUE_AFTER: ClassVar[int] = 40
    MAX_SCORE: float

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
