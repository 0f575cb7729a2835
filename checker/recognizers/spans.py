"""Linear-time questions about positions and spans of one text.

Recognizers ask, for each of their candidates, "is another finding near?", "does it
overlap a kept one?", "where does this sentence end?". Answered with a pass over all
candidates or over the rest of the text each time, a text full of candidates costs
time quadratic in its length (tests/checker/test_linear_time.py). These helpers answer
by bisection over a sorted index, by marks, or by remembering the last search when the
positions come in ascending order.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Collection, Iterable
from typing import Any


class SpanUnion:
    """Whether a position lies in any of some (possibly overlapping) spans."""

    def __init__(self, spans: Collection[tuple[int, int]]) -> None:
        merged: list[tuple[int, int]] = []
        for start, end in sorted(spans):
            if merged and start <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(merged[-1][1], end))
            else:
                merged.append((start, end))
        self._starts = [start for start, _ in merged]
        self._ends = [end for _, end in merged]

    def holds(self, position: int) -> bool:
        i = bisect.bisect_right(self._starts, position) - 1
        return i >= 0 and position < self._ends[i]


def keep_non_overlapping[T](
    items: Iterable[T], span: Callable[[T], tuple[int, int]], best_first: Callable[[T], Any]
) -> list[T]:
    """The items in `best_first` order that share no character with an item kept before
    them. The kept characters are marked, so a test costs the item's length rather than
    a comparison with every kept item."""
    ordered = sorted(items, key=best_first)
    kept: list[T] = []
    taken = bytearray(max((span(item)[1] for item in ordered), default=0))
    for item in ordered:
        start, end = span(item)
        if taken.find(1, start, end) < 0:
            kept.append(item)
            taken[start:end] = b"\x01" * (end - start)
    return kept


class NextMatch:
    """Where the next match of `pattern` at or after a position starts (the end of the
    text when there is none), for positions in ascending order: a stretch of text
    without a match is searched once, however many positions lie in it."""

    def __init__(self, pattern: re.Pattern[str], text: str) -> None:
        self.pattern = pattern
        self.text = text
        self._from, self._at = 0, -1  # no match starts in text[_from:_at]

    def at(self, position: int) -> int:
        if not self._from <= position <= self._at:
            found = self.pattern.search(self.text, position)
            self._from, self._at = position, found.start() if found else len(self.text)
        return self._at


_WORD_REST = re.compile(r"[\w-]*")


class AfterWord:
    """Whether `pattern` matches at the end of the word that goes on at a position
    (letters, digits, "_", "-"), for positions in ascending order: each word's end is
    found once, and each pattern tried once per word end, however many positions lie
    in the word."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._word = (-1, -1)  # text[from:to] is word characters, text[to] is not
        self._seen: dict[re.Pattern[str], bool] = {}  # results at the current word end

    def matches(self, pattern: re.Pattern[str], position: int) -> bool:
        start, end = self._word
        if not start <= position <= end:
            word = _WORD_REST.match(self.text, position)
            end = word.end() if word else position
            self._word, self._seen = (position, end), {}
        if pattern not in self._seen:
            self._seen[pattern] = pattern.match(self.text, end) is not None
        return self._seen[pattern]
