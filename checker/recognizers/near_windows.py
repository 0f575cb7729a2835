"""Run a costly rule only near the places where it can match.

Some recognizers' regexes are slow per character (look-behind labels), although a match
always contains a cheap marker (a label word). They analyse padded windows around the
markers instead of the whole text. A window's edges move outward to the nearest
whitespace, so that no word is cut and the rule sees what it would see in the whole
text — but at most SNAP characters: text without blanks (a long token, a base64 blob)
must not widen every window to the whole text, which made the search quadratic.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import ClassVar

from presidio_analyzer import PatternRecognizer, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts

SNAP = 64  # how far a window edge may move outward to reach whitespace
_SPACE = re.compile(r"\s")
_LAST_SPACE = re.compile(r".*\s", re.DOTALL)  # greedy: ends after the last whitespace


def near_windows(
    text: str, markers: re.Pattern[str], before: int, after: int
) -> list[tuple[int, int]]:
    """Merged windows reaching `before`/`after` characters around each marker, widened
    to the nearest whitespace within SNAP characters on both sides.

    Linear in the text: the windows are disjoint, and no character is searched for
    whitespace twice (a later marker's search starts where the previous one stopped).
    """
    windows: list[tuple[int, int]] = []
    for m in markers.finditer(text):
        start, end = max(0, m.start() - before), min(len(text), m.end() + after)
        joins = bool(windows) and start <= windows[-1][1]
        if joins:
            start = windows[-1][0]
        elif start > 0 and not text[start - 1].isspace():
            space = _LAST_SPACE.match(text, max(0, start - SNAP), start)
            start = space.end() if space else max(0, start - SNAP)
        limit = min(len(text), end + SNAP)
        if joins:
            end = max(end, windows[-1][1])  # up to there it is known (no blank, or one)
        if end < len(text) and not text[end].isspace():
            space = _SPACE.search(text, end, limit)
            end = space.start() if space else limit
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
