"""The rest of a JSON document: every leaf a dedicated reader did not take.

A dedicated reader knows where the prompt is (messages, system, tool results) and keeps
that structure for coaching messages and redaction; but the vendor receives, and often
stores, every other field too (tool descriptions, metadata, model-specific extras). So
readers built for completeness (extract/bedrock.py, the WebSocket readers) add
`rest_leaves`: the string leaves outside what they read, with exact paths, so that
nothing in the document goes unscanned.
"""

from collections.abc import Iterable, Sequence

from extract.json_walk import json_leaves
from extract.model import Found, TextPart
from extract.path import Index, Key, Path

Steps = tuple[str | int, ...]


def _steps(path: Path) -> Steps:
    """The JSON steps of a path up to its first mark that leaves the document (a decoded
    file, a JSON held in a string): what part of the document the path consumed. Root
    marks (a WebSocket message, a generic document's "$") are no step."""
    out: list[str | int] = []
    for step in path.steps:
        if isinstance(step, Key):
            out.append(step.name)
        elif isinstance(step, Index):
            out.append(step.index)
        elif step.kind not in _ROOT_MARKS:
            break
    return tuple(out)


_ROOT_MARKS = frozenset({"message", "json"})


def rest_leaves(data: object, root: Path, taken: Iterable[Found]) -> list[TextPart]:
    """String leaves below `root` that are neither one of `taken` nor inside one (a
    `json_value` part or a decoded file covers its whole subtree)."""
    covered = {_steps(found.path) for found in taken}
    base = len(_steps(root))
    return [
        part for part in json_leaves(data, root) if not _inside(_steps(part.path), covered, base)
    ]


def _inside(steps: Steps, covered: set[Steps], base: int) -> bool:
    return any(steps[:n] in covered for n in range(base + 1, len(steps) + 1))


def with_rest(data: object, root: Path, found: Sequence[Found]) -> list[Found]:
    """What a dedicated reader found, then the rest of the document."""
    return [*found, *rest_leaves(data, root, found)]
