"""Run a costly rule only near the places where it can match.

Some recognizers' regexes are slow per character (Presidio's e-mail pattern, look-behind
labels), although a match always contains a cheap marker (``@``, a label word). They
analyse padded windows around the markers instead of the whole text; the windows end at
whitespace, so no word is cut and the rule sees what it would see in the whole text.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import ClassVar

from presidio_analyzer import PatternRecognizer, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts

_SPACE = re.compile(r"\s")


def near_windows(
    text: str, markers: re.Pattern[str], before: int, after: int
) -> list[tuple[int, int]]:
    """Merged windows reaching `before`/`after` characters around each marker, widened
    to the next whitespace on both sides."""
    windows: list[tuple[int, int]] = []
    for m in markers.finditer(text):
        start, end = max(0, m.start() - before), min(len(text), m.end() + after)
        while start > 0 and not text[start - 1].isspace():
            start -= 1
        space = _SPACE.search(text, end)
        end = space.start() if space else len(text)
        if windows and start <= windows[-1][1]:
            windows[-1] = (windows[-1][0], max(end, windows[-1][1]))
        else:
            windows.append((start, end))
    return windows


def analyze_near(
    text: str,
    markers: re.Pattern[str],
    before: int,
    after: int,
    analyze: Callable[[str], list[RecognizerResult]],
) -> list[RecognizerResult]:
    """`analyze` on each window, results moved to the text's offsets."""
    results: list[RecognizerResult] = []
    for start, end in near_windows(text, markers, before, after):
        if start == 0 and end == len(text):
            return analyze(text)
        for r in analyze(text[start:end]):
            r.start += start
            r.end += start
            results.append(r)
    return results


class NearMarkers(PatternRecognizer):
    """A PatternRecognizer whose patterns run only within NEAR_BEFORE / NEAR_AFTER
    characters of a NEAR_MARKERS match (every match of its patterns contains one)."""

    NEAR_MARKERS: ClassVar[re.Pattern[str]]
    NEAR_BEFORE: ClassVar[int]
    NEAR_AFTER: ClassVar[int]

    def analyze(
        self,
        text: str,
        entities: list[str],
        nlp_artifacts: NlpArtifacts | None = None,
        regex_flags: int | None = None,
    ) -> list[RecognizerResult]:
        def whole(window: str) -> list[RecognizerResult]:
            return super(NearMarkers, self).analyze(window, entities, nlp_artifacts, regex_flags)

        return analyze_near(text, self.NEAR_MARKERS, self.NEAR_BEFORE, self.NEAR_AFTER, whole)
