"""Offset maps: where each character of a rewritten text came from.

Every normalisation step rewrites a text into a new one and records, for each stretch
of the new text, the stretch of the old text it stands for. A finding the recognizers
report on the normalised text is carried back through the steps, last to first, to
the characters of the text as it was given — redaction replaces exactly that span,
masking shows an excerpt of it.

A map is a sorted list of *segments* covering the new text. A segment is either

- positional: its i-th character stands for the i-th character of its origin (text
  kept as it was, or changed one character for one character: a folded homoglyph,
  an upper-cased IBAN letter), or
- lumped: all its characters stand for the whole origin span (``&#64;`` → ``@``,
  a decoded base64 run → the whole encoded run).

Deleted characters (a zero-width space) belong to no segment; a span that reaches
across them covers them, so a redaction takes them along. Offsets are kept in
``array('q')``s, not lists of ints: a megabyte of alternating invisible characters
makes half a million segments, 24 bytes each instead of ~100.
"""

from __future__ import annotations

import bisect
from array import array
from dataclasses import dataclass


class OffsetMap:
    """One step's map from the new text back to the old one."""

    __slots__ = ("_new_starts", "_origin_ends", "_origins", "_positional")

    def __init__(
        self,
        new_starts: array[int],
        origins: array[int],
        origin_ends: array[int],
        positional: bytearray,
    ) -> None:
        self._new_starts = new_starts
        self._origins = origins
        self._origin_ends = origin_ends
        self._positional = positional

    def _char(self, position: int) -> tuple[int, int]:
        """The old span the new character at `position` stands for."""
        k = bisect.bisect_right(self._new_starts, position) - 1
        if self._positional[k]:
            old = self._origins[k] + position - self._new_starts[k]
            return old, old + 1
        return self._origins[k], self._origin_ends[k]

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The old span covering the new characters ``start .. end-1`` (``end > start``)."""
        first_start, first_end = self._char(start)
        last_start, last_end = self._char(end - 1)
        # min/max: a decoded copy inserted after its source stands for an earlier span.
        return min(first_start, last_start), max(first_end, last_end)

    def __len__(self) -> int:
        return len(self._new_starts)


class Rewriter:
    """Build a new text from an old one, left to right, keeping its OffsetMap.

    A step walks its matches in order: ``replace(start, end, new)`` keeps the old text
    up to `start`, emits `new` for ``old[start:end]`` and moves on; ``emit`` adds text
    that stands for any old span (a decoded copy inserted after its source).
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self._pieces: list[str] = []
        self._position = 0  # how far the old text has been consumed
        self._length = 0  # length of the new text so far
        self._changed = False
        self._new_starts = array("q")
        self._origins = array("q")
        self._origin_ends = array("q")
        self._positional = bytearray()

    def _segment(self, piece: str, origin: int, origin_end: int, positional: bool) -> None:
        if not piece:
            return
        if (
            positional
            and self._positional
            and self._positional[-1]
            and self._origin_ends[-1] == origin
        ):
            self._origin_ends[-1] = origin_end  # continues the previous segment
        else:
            self._new_starts.append(self._length)
            self._origins.append(origin)
            self._origin_ends.append(origin_end)
            self._positional.append(positional)
        self._pieces.append(piece)
        self._length += len(piece)

    def keep(self, end: int) -> None:
        """Copy the old text up to `end` unchanged."""
        if end > self._position:
            self._segment(self.text[self._position : end], self._position, end, True)
            self._position = end

    def skip(self, end: int) -> None:
        """Drop the old text up to `end`."""
        if end > self._position:
            self._position = end
            self._changed = True

    def emit(self, piece: str, origin: int, origin_end: int, positional: bool = False) -> None:
        """Add `piece`, standing for ``old[origin:origin_end]`` (char by char if positional)."""
        if positional and len(piece) != origin_end - origin:
            raise ValueError("a positional piece must be as long as its origin")
        if origin_end <= origin:
            raise ValueError("a piece must stand for at least one old character")
        self._changed = True
        self._segment(piece, origin, origin_end, positional)

    def replace(self, start: int, end: int, piece: str, positional: bool = False) -> None:
        self.keep(start)
        if piece == self.text[start:end]:
            self.keep(end)
            return
        self.emit(piece, start, end, positional)
        self._position = end

    def result(self) -> Rewrite | None:
        """The new text and its map, or None when nothing changed."""
        self.keep(len(self.text))
        if not self._changed:
            return None
        if not self._new_starts:  # everything was deleted
            return Rewrite("", OffsetMap(array("q"), array("q"), array("q"), bytearray()))
        return Rewrite(
            "".join(self._pieces),
            OffsetMap(self._new_starts, self._origins, self._origin_ends, self._positional),
        )


@dataclass(frozen=True)
class Rewrite:
    text: str
    map: OffsetMap

    @staticmethod
    def positional(text: str) -> Rewrite:
        """A text changed character for character (same length): one positional segment."""
        return Rewrite(
            text,
            OffsetMap(array("q", [0]), array("q", [0]), array("q", [len(text)]), bytearray([1])),
        )


class Normalized:
    """A text as the recognizers see it, and the way back to the text as given."""

    __slots__ = ("maps", "original", "text")

    def __init__(self, original: str, text: str, maps: tuple[OffsetMap, ...] = ()) -> None:
        self.original = original
        self.text = text
        self.maps = maps  # in the order the steps ran

    @property
    def changed(self) -> bool:
        return bool(self.maps)

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """The span of the original text the normalised ``text[start:end]`` stands for."""
        if end <= start:
            raise ValueError("empty span")
        for offset_map in reversed(self.maps):
            start, end = offset_map.span(start, end)
        return start, end
