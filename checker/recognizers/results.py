"""One way for hand-written recognizers to report a match to Presidio."""

from __future__ import annotations

from typing import Any

from presidio_analyzer import (
    AnalysisExplanation,
    EntityRecognizer,
    Pattern,
    PatternRecognizer,
    RecognizerResult,
)


def explained_result(
    recognizer: EntityRecognizer, start: int, end: int, score: float, why: str
) -> RecognizerResult:
    """A result for the recognizer's (first) entity, with `why` as its explanation."""
    explanation = AnalysisExplanation(
        recognizer=recognizer.__class__.__name__,
        original_score=score,
        textual_explanation=why,
    )
    return RecognizerResult(
        entity_type=recognizer.supported_entities[0],
        start=start,
        end=end,
        score=score,
        analysis_explanation=explanation,
        recognition_metadata={
            # getattr: Presidio assigns `name` untyped in __init__ (mypy cannot see it).
            RecognizerResult.RECOGNIZER_NAME_KEY: getattr(recognizer, "name", ""),
            RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: recognizer.id,
        },
    )


def pattern_result(
    recognizer: EntityRecognizer,
    pattern: Pattern,
    start: int,
    end: int,
    score: float,
    validation: bool | None,
) -> RecognizerResult:
    """A result as PatternRecognizer builds it, for recognizers that find their matches
    themselves (a walk instead of one regex) but explain them like a pattern."""
    name = getattr(recognizer, "name", "")
    explain: Any = PatternRecognizer.build_regex_explanation  # validation: bool | None
    explanation = explain(name, pattern.name, pattern.regex, pattern.score, validation, 0)
    explanation.score = score
    return RecognizerResult(
        entity_type=recognizer.supported_entities[0],
        start=start,
        end=end,
        score=score,
        analysis_explanation=explanation,
        recognition_metadata={
            RecognizerResult.RECOGNIZER_NAME_KEY: name,
            RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: recognizer.id,
        },
    )
