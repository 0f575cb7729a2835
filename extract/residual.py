"""Everything of a JSON document an extractor did not take: the residual walker.

Dedicated extractors read the fields they know (messages, system prompts, tool calls,
files) into parts with structure for coaching and redaction. Vendors also receive, and
often store, every other field: tool descriptions and JSON schemas, response formats,
metadata, user ids, stop sequences, the model name, fields added to an API after the
extractor was written. So that a new field never means a bypass, this walker scans
what is left of the document:
- every string leaf at its exact path (redaction can rewrite it there),
- every number at its exact path (a card number sent as a JSON number),
- all distinct object keys in one part at `{keys}` (a map keyed by e-mail address),
skipping what the extractor consumed (its text parts, inline files, token ids) and what
extract/coverage.py ignores. The generic reader is this walker with nothing consumed.

Values split over several leaves (an IBAN as an array of characters, a card number as
an array of digits) become adjacent parts; the checker scans the seams between parts
joined (checker/seams.py).

Locations never carry caller data: a key is shown by name only when it looks like a
field name (name_segment), else by its position.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from extract.coverage import string_rule
from extract.json_walk import MAX_JSON_DEPTH, name_segment
from extract.model import ExtractError, Prompt, TextPart
from extract.path import Index, Key, Mark, Path

Address = tuple[tuple[str, object], ...]
_READY: Address = (("m", "joined"),)  # the address of a part made while walking: never taken

# Keys go into one text separated so that no recognizer reads one key as the label of
# the next ("token" followed by a long key name is no credential): a comma ends a
# label-value pattern, a blank alone would not.
KEY_SEPARATOR = ", "


def address(path: Path) -> Address:
    """A path by what it points at: keys by their real name, however they are shown."""
    out: list[tuple[str, object]] = []
    for step in path.steps:
        if isinstance(step, Key):
            out.append(("k", step.name))
        elif isinstance(step, Index):
            out.append(("i", step.index))
        else:
            out.append(("m", step.kind))
    return tuple(out)


def consumed_paths(prompt: Prompt) -> list[Path]:
    """What an extractor took: its parts' paths (a file's text stands for the field it
    was decoded from) and what it consumed without a part."""
    paths = list(prompt.consumed)
    for part in prompt.parts:
        steps = part.path.steps
        while steps and isinstance(steps[-1], Mark) and steps[-1].kind == "file":
            steps = steps[:-1]
        paths.append(Path(steps))
    return paths


def number_text(value: int | float) -> str:
    return str(value) if isinstance(value, int) else repr(value)


def residual(
    data: Any,
    root: Path,
    consumed: Iterable[Path] = (),
    *,
    segment: Callable[[str, int], Key] = name_segment,
) -> list[TextPart]:
    """The parts of `data` (a parsed JSON document at `root`) that nobody took yet:
    strings and numbers in document order, then the keys."""
    taken = {address(path) for path in consumed}
    parts: list[TextPart] = []
    keys: dict[str, None] = {}  # distinct, in document order
    stack: list[tuple[Any, Path, Address, int]] = [(data, root, address(root), 0)]
    while stack:
        value, where, at, depth = stack.pop()
        if at in taken:
            continue
        if isinstance(value, TextPart):
            parts.append(value)
            continue
        if isinstance(value, str):
            key = at[-1][1] if at and at[-1][0] == "k" else None
            if string_rule(value, key if isinstance(key, str) else None) is None:
                parts.append(TextPart(where, value))
            continue
        if isinstance(value, bool) or value is None:
            continue
        if isinstance(value, int | float):
            parts.append(TextPart(where, number_text(value)))
            continue
        if isinstance(value, dict):
            children = []
            for index, (key, child) in enumerate(value.items()):
                keys[key] = None
                children.append((child, where.then(segment(key, index)), (*at, ("k", key))))
        elif isinstance(value, list):
            children = []
            for start, stop in _runs(value):
                if stop - start >= 2:  # a ready part, kept in document order
                    children.append((_joined(value, start, stop, where), where, _READY))
                    continue
                children.append((value[start], where.index(start), (*at, ("i", start))))
        else:
            continue
        if depth >= MAX_JSON_DEPTH and children:
            raise ExtractError("request body is nested too deeply")
        stack.extend((child, path, addr, depth + 1) for child, path, addr in reversed(children))
    names = [key for key in keys if string_rule(key) is None]
    if names:
        parts.append(TextPart(root.mark("keys", "{keys}"), KEY_SEPARATOR.join(names)))
    return parts


# Array elements this short are fragments: a run of them is read as one text, so that a
# value sent in pieces (["D","E","8","9",…], [4,1,1,1,…], ["DE89","3704",…]) is found
# in its own part (the checker's seams join adjacent parts too, but glue the value's
# end to whatever part follows).
_FRAGMENT_CHARS = 4


def _fragment(value: object) -> str | None:
    if isinstance(value, str):
        return value if 0 < len(value) <= _FRAGMENT_CHARS else None
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 10**_FRAGMENT_CHARS:
        return str(value)
    return None


def _runs(items: list[Any]) -> list[tuple[int, int]]:
    """[start, stop) of each run of fragments, and of each other element alone."""
    runs: list[tuple[int, int]] = []
    start = 0
    while start < len(items):
        stop = start + 1
        if _fragment(items[start]) is not None:
            while stop < len(items) and _fragment(items[stop]) is not None:
                stop += 1
        runs.append((start, stop))
        start = stop
    return runs


def _joined(items: list[Any], start: int, stop: int, where: Path) -> TextPart:
    """One part for the fragments items[start:stop]: single characters joined directly,
    longer ones with blanks (a grouped IBAN or card number)."""
    pieces = [_fragment(item) or "" for item in items[start:stop]]
    glue = "" if all(len(piece) == 1 for piece in pieces) else " "
    return TextPart(where.index(start).mark("joined", f"…[{stop - 1}]"), glue.join(pieces))
