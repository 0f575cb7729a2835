"""One way for hand-written recognizers to report a match to Presidio."""

from __future__ import annotations

from presidio_analyzer import AnalysisExplanation, EntityRecognizer, RecognizerResult


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
