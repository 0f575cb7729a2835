"""A separator between every character → none: ``D E 8 9 3 7 0 4 …`` is ``DE893704…``.

Eight or more single characters, each separated from the next by one and the same
separator — a space (any character but a table's ``|`` then, ``m a x @ f i r m a .
d e``; two letters or digits must stand next to each other), or a dot, dash, underscore
or slash between letters and digits (``D.E.8.9.3.7.0.4``) — are joined. Fewer than
eight are left alone: "z. B.", "a-b-c", dates, IP addresses and version numbers have
longer groups or fewer of them. Longer groups (``DE89.3704.…``)
are identifiers.py's job.
"""

from __future__ import annotations

import re

from checker.normalize.offsets import Rewrite, Rewriter
from checker.normalize.sketch import SEPARATOR_SHAPE, Sketch

MIN_CHARS = 8
_BY_SPACE = re.compile(rf"(?<!\S)[^\s|](?: [^\s|]){{{MIN_CHARS - 1},}}(?!\S)")
# Two letters or digits (or any non-ASCII characters) next to each other in a run:
# what wanted() looks for, so a run of punctuation (". . . . . . . .") stays.
_ADJACENT = re.compile(r"(?:[A-Za-z0-9]|[^\x00-\x7f]) (?:[A-Za-z0-9]|[^\x00-\x7f])")
_BY_MARK = re.compile(rf"(?<![^\W_])[^\W_]([._/-])[^\W_](?:\1[^\W_]){{{MIN_CHARS - 2},}}(?![^\W_])")


def wanted(sketch: Sketch) -> bool:
    """Two single letters or digits in a row between spaces, or two between marks."""
    return bool(_candidates(sketch.shape(SEPARATOR_SHAPE), 0))


def _candidates(shape: bytes, position: int) -> list[int]:
    """Where, from `position` on, the shape first shows two single letters or digits
    between spaces (index of the first of them) or between marks; [] when nowhere."""
    found = []
    spaced = shape.find(b" x x ", position)
    if spaced >= 0:
        found.append(spaced + 1)
    if position == 0 and shape.startswith(b"x x "):
        found.append(0)
    if shape.endswith(b" x x") and len(shape) - 3 >= position:
        found.append(len(shape) - 3)
    marked = shape.find(b".x.x.", position)
    if marked >= 0:
        found.append(marked + 1)
    return found


def rewrite(text: str) -> Rewrite | None:
    shape = Sketch(text).shape(SEPARATOR_SHAPE)
    runs: list[tuple[int, int]] = []
    position = 0
    while candidates := _candidates(shape, position):
        at = min(candidates)
        run = _run_at(text, at)
        if run is not None and run[0] >= position:
            runs.append(run)
            position = run[1]
        else:
            position = at + 1
    if not runs:
        return None
    out = Rewriter(text)
    for start, end in runs:
        # Every other character of a run is its separator.
        for i in range(start, end, 2):
            out.keep(i + 1)
            out.skip(min(i + 2, end))
    return out.result()


def _run_at(text: str, at: int) -> tuple[int, int] | None:
    """The run of single characters around `at`, if it is long enough."""
    separator = text[at + 1 : at + 2]
    if separator == " ":
        pattern, single = _BY_SPACE, _single_by_space
    elif separator in ("", ".", "_", "/", "-") and separator:
        pattern, single = _BY_MARK, _single_by_mark
    else:
        return None  # a tab or a line break between them: not a run
    start = at
    # Back to the run's first character: single characters, one separator apart.
    while (
        start >= 2
        and text[start - 1] == separator
        and single(text[start - 2])
        and (start < 3 or not single(text[start - 3]))
    ):
        start -= 2
    m = pattern.match(text, start)
    if m is None or (separator == " " and not _ADJACENT.search(m.group())):
        return None
    return m.span()


def _single_by_space(char: str) -> bool:
    return not char.isspace() and char != "|"


def _single_by_mark(char: str) -> bool:
    return char.isalnum()
