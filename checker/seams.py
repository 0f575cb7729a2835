"""Values split across parts of a request: the text around each boundary, scanned.

A request has several text parts (system prompt, messages, content parts, tool
arguments), and each is scanned alone. Half an IBAN at the end of one message and
the rest at the start of the next is then no IBAN in either. The seam text joins the
parts directly — the end of one to the start of the next, nothing in between, as an
attacker splits the string — keeping only SEAM characters (of each part's normalised
text) on each side of a boundary; a part shorter than 2×SEAM goes in whole, so a value
spread over many short parts (an IBAN as an array of single characters) is joined
too. The scanner analyses the seam text near boundaries only and keeps what crosses
one; everything inside a single part was already found by that part's own scan.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass

SEAM = 100  # characters of a part kept on each side of a boundary
_BREAK = "\n\n…\n\n"  # between the head and the tail of a long part: belongs to none


@dataclass(frozen=True)
class Piece:
    start: int  # where the piece starts in the seam text
    end: int
    part: int
    offset: int  # where it starts in its part's (normalised) text


@dataclass(frozen=True)
class Seams:
    text: str
    pieces: tuple[Piece, ...]
    junctions: tuple[int, ...]  # seam positions where one part ends and the next begins

    def near(self, start: int, end: int, distance: int) -> bool:
        """Is a boundary within `distance` characters of ``[start, end)``?"""
        i = bisect.bisect_left(self.junctions, start - distance)
        return i < len(self.junctions) and self.junctions[i] <= end + distance

    def crosses(self, start: int, end: int) -> bool:
        """Does ``[start, end)`` have characters on both sides of a boundary?"""
        i = bisect.bisect_right(self.junctions, start)
        return i < len(self.junctions) and self.junctions[i] < end

    def split(self, start: int, end: int) -> list[tuple[int, int, int]] | None:
        """``(part, start, end)`` in each part's normalised text for the seam span
        ``[start, end)``; None when the span reaches into a break."""
        starts = [p.start for p in self.pieces]
        i = bisect.bisect_right(starts, start) - 1
        out: list[tuple[int, int, int]] = []
        position = start
        while position < end:
            if i < 0 or i >= len(self.pieces):
                return None
            piece = self.pieces[i]
            if not piece.start <= position < piece.end:
                return None  # in a break, or past the last piece
            stop = min(end, piece.end)
            offset = piece.offset - piece.start
            out.append((piece.part, position + offset, stop + offset))
            position = stop
            i += 1
        return out


def build(texts: Sequence[str]) -> Seams | None:
    """The seam text of `texts` (normalised part texts, in request order); None when
    fewer than two parts have text."""
    parts = [(index, text) for index, text in enumerate(texts) if text]
    if len(parts) < 2:
        return None
    chunks: list[str] = []
    pieces: list[Piece] = []
    junctions: list[int] = []
    length = 0

    def add(part: int, offset: int, text: str) -> None:
        nonlocal length
        pieces.append(Piece(length, length + len(text), part, offset))
        chunks.append(text)
        length += len(text)

    last = len(parts) - 1
    for n, (index, text) in enumerate(parts):
        if n > 0:
            junctions.append(length)
        if len(text) <= 2 * SEAM:
            add(index, 0, text)
            continue
        if n > 0:  # the first part's start touches no boundary
            add(index, 0, text[:SEAM])
        if 0 < n < last:
            chunks.append(_BREAK)
            length += len(_BREAK)
        if n < last:  # nor does the last part's end
            add(index, len(text) - SEAM, text[-SEAM:])
    return Seams("".join(chunks), tuple(pieces), tuple(junctions))
