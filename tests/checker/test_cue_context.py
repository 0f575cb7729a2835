"""boost_by_cue: whole-word cues in a window around a result raise its score once."""

from __future__ import annotations

import re

from presidio_analyzer import AnalysisExplanation, RecognizerResult

from checker.recognizers.cue_context import BOOST, boost_by_cue

CUE = re.compile(r"(?<![^\W\d_])(?:tel|telefon)(?![^\W\d_])", re.IGNORECASE)


def result(text: str, value: str, score: float = 0.4) -> RecognizerResult:
    start = text.index(value)
    explanation = AnalysisExplanation("T", score)
    return RecognizerResult(
        "PHONE_NUMBER", start, start + len(value), score, explanation, recognition_metadata={}
    )


def test_cue_before_raises_score_and_explains() -> None:
    text = "Tel.: 030 1234567"
    (r,) = boost_by_cue(text, [result(text, "030 1234567")], CUE, before=20)
    assert r.score == 0.4 + BOOST
    assert r.analysis_explanation is not None
    assert r.analysis_explanation.supportive_context_word == "Tel"
    assert r.recognition_metadata[RecognizerResult.IS_SCORE_ENHANCED_BY_CONTEXT_KEY] is True


def test_substring_is_no_cue() -> None:
    text = "Hotel 030 1234567"  # "tel" inside "Hotel"
    (r,) = boost_by_cue(text, [result(text, "030 1234567")], CUE, before=20)
    assert r.score == 0.4


def test_window_and_after() -> None:
    far = "Telefon " + "x" * 80 + " 030 1234567"
    (r,) = boost_by_cue(far, [result(far, "030 1234567")], CUE, before=50)
    assert r.score == 0.4
    after = "030 1234567 ist mein Telefon"
    (r2,) = boost_by_cue(after, [result(after, "030 1234567")], CUE, before=20, after=20)
    assert r2.score == 0.4 + BOOST


def test_extra_context_words_and_max_score() -> None:
    text = "030 1234567"
    (r,) = boost_by_cue(text, [result(text, text, 0.9)], CUE, before=20, extra="telefon")
    assert r.score == 1.0
