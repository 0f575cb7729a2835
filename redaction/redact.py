"""Replace findings in a request body with stable placeholders before it is forwarded.

`redact_body` rewrites the body the extractor read (see extract/registry.py): every finding's
span becomes a placeholder such as `<PERSON_1>` or `<IBAN_1>` (labels and numbering:
redaction/memory.py), the originals stay in the conversation's PlaceholderMap, and
restore.py puts them back into the answer.

What can be rewritten:
- JSON bodies (the OpenAI and Anthropic APIs, and generic JSON documents): the body is
  parsed, each TextPart's path (extract/path.py) is walked, member by member and element
  by element, to its string (or, for tool input objects the extractor scanned as
  `json.dumps(...)`, to that object; for a number the residual walker scanned, to that
  number, which becomes a string with the placeholder),
  the spans are replaced from the end backwards and the document is serialised again
  (compact separators, `ensure_ascii=False`; the caller sets Content-Length).
- A generic plain-text body (the path BODY) that is UTF-8.
Form fields, multipart parts, decoded files, JSON held in strings, a document's keys
(`{keys}`), array elements read joined, the URL, headers and the text of a body that
did not parse are not rewritten:
the result then has `body=None` and a reason, and the gateway falls back to block. So
does any path that does not lead to exactly the text that was scanned — a body must
never go out half redacted.

A value split across parts (Finding.split_across: half an IBAN in one message, the rest
in the next) is replaced in every part it touches, each piece by a placeholder of its
own; when one of those parts cannot be rewritten, nothing is (the gateway blocks).

Overlapping or nested findings are merged into their union (nothing detected may be
left behind), labelled after the longest of them. A span that already is a placeholder
(or lies inside one) is left alone, so a prior turn's placeholders are not wrapped again.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from checker.findings import Finding
from extract.model import Prompt, TextPart
from extract.path import BODY, Index, Key, Path
from extract.residual import number_text
from redaction.memory import PLACEHOLDER, PlaceholderMap


@dataclass(frozen=True)
class RedactResult:
    body: bytes | None  # the rewritten body; None when redaction is not possible
    replaced: int  # spans replaced by a placeholder
    reason: str | None = None  # why body is None (no values in it, safe to log)

    @property
    def ok(self) -> bool:
        return self.body is not None


@dataclass(frozen=True)
class _Span:
    start: int
    end: int
    entity_type: str


def redact_body(
    api: str,
    body: bytes,
    prompt: Prompt,
    findings: Sequence[Finding],
    mapping: PlaceholderMap,
) -> RedactResult:
    """Rewrite `body` with every finding replaced by its conversation placeholder."""
    spans_by_part: dict[int, list[_Span]] = {}
    for finding in findings:
        if not 0 <= finding.part < len(prompt.parts):
            return _fail("finding refers to a text part the prompt does not have")
        text = prompt.parts[finding.part].text
        if not 0 <= finding.start < finding.end <= len(text):
            return _fail("finding offsets lie outside its text part")
        spans_by_part.setdefault(finding.part, []).append(
            _Span(finding.start, finding.end, finding.entity_type)
        )
    plan = {
        index: spans
        for index, raw in sorted(spans_by_part.items())
        if (spans := _select(prompt.parts[index].text, raw, mapping))
    }
    if not plan:
        return RedactResult(body=body, replaced=0)

    paths = [prompt.parts[index].path for index in plan]
    if any(path.marks() & {"form", "part"} for path in paths):
        return _fail("form and multipart bodies cannot be redacted")
    if api == "generic" and all(path == BODY for path in paths):
        return _redact_text_body(body, prompt.parts, plan, mapping)
    if api == "generic" and not all(path.marks() == {"json"} for path in paths):
        return _fail("only JSON and plain-text bodies can be redacted")
    return _redact_json(body, prompt.parts, plan, mapping)


def _fail(reason: str) -> RedactResult:
    return RedactResult(body=None, replaced=0, reason=reason)


def _select(text: str, spans: list[_Span], mapping: PlaceholderMap) -> list[_Span]:
    """Merge overlapping spans into their union; drop spans inside placeholders this
    conversation issued (earlier turns echoed back). Text that only looks like a
    placeholder (`<AKIA…_1>`) is no exemption: a secret inside it is still redacted."""
    inside = [
        m.span() for m in PLACEHOLDER.finditer(text) if mapping.original(m.group()) is not None
    ]
    spans = [s for s in spans if not any(ps <= s.start and s.end <= pe for ps, pe in inside)]
    spans.sort(key=lambda s: (s.start, -s.end))
    merged: list[_Span] = []
    cluster: list[_Span] = []
    for span in spans:
        if cluster and span.start >= max(s.end for s in cluster):
            merged.append(_union(cluster))
            cluster = []
        cluster.append(span)
    if cluster:
        merged.append(_union(cluster))
    return merged


def _union(cluster: list[_Span]) -> _Span:
    longest = max(cluster, key=lambda s: s.end - s.start)  # first of equals wins
    return _Span(min(s.start for s in cluster), max(s.end for s in cluster), longest.entity_type)


def _replace(text: str, spans: list[_Span], placeholders: list[str]) -> str:
    for span, placeholder in sorted(
        zip(spans, placeholders, strict=True), key=lambda pair: pair[0].start, reverse=True
    ):
        text = text[: span.start] + placeholder + text[span.end :]
    return text


def _redact_text_body(
    body: bytes, parts: tuple[TextPart, ...], plan: dict[int, list[_Span]], mapping: PlaceholderMap
) -> RedactResult:
    ((index, spans),) = plan.items()
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return _fail("only UTF-8 text bodies can be redacted")
    if text != parts[index].text:
        return _fail("text body does not match the scanned text")
    placeholders = [mapping.placeholder_for(s.entity_type, text[s.start : s.end]) for s in spans]
    return RedactResult(
        body=_replace(text, spans, placeholders).encode("utf-8"), replaced=len(spans)
    )


# --- JSON ------------------------------------------------------------------------


class _Unresolved(Exception):
    pass


def _redact_json(
    body: bytes, parts: tuple[TextPart, ...], plan: dict[int, list[_Span]], mapping: PlaceholderMap
) -> RedactResult:
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return _fail("body is not JSON that can be rewritten")

    # Resolve everything first, so that a failure leaves nothing half done.
    targets: list[tuple[Any, Any, str, bool, list[_Span]]] = []
    for index, spans in plan.items():
        part = parts[index]
        try:
            container, accessor = _resolve(data, part.path)
        except _Unresolved:
            return _fail(f"location cannot be rewritten: {part.location}")
        node = container[accessor]
        if isinstance(node, str):
            if node != part.text:
                return _fail(f"location does not hold the scanned text: {part.location}")
            targets.append((container, accessor, node, False, spans))
        elif _is_number(node) and number_text(node) == part.text:
            # A number the residual walker scanned (a card number sent as a number):
            # it becomes a string with the placeholder in it.
            targets.append((container, accessor, part.text, False, spans))
        elif json.dumps(node, ensure_ascii=False) == part.text:
            targets.append((container, accessor, part.text, True, spans))  # tool input object
        else:
            return _fail(f"location does not hold the scanned text: {part.location}")

    replaced = 0
    for container, accessor, text, dumped, spans in targets:
        originals = [text[s.start : s.end] for s in spans]
        if dumped:
            decoded = [_json_string_content(value) for value in originals]
            if any(value is None for value in decoded):
                return _fail("a finding crosses JSON syntax inside a structured tool input")
            originals = [value for value in decoded if value is not None]
        placeholders = [
            mapping.placeholder_for(s.entity_type, value)
            for s, value in zip(spans, originals, strict=True)
        ]
        new_text = _replace(text, spans, placeholders)
        if dumped:
            try:
                container[accessor] = json.loads(new_text)
            except (ValueError, RecursionError):
                return _fail("a finding crosses JSON syntax inside a structured tool input")
        else:
            container[accessor] = new_text
        replaced += len(spans)
    return RedactResult(body=_dump(data), replaced=replaced)


def _is_number(node: object) -> bool:
    return isinstance(node, int | float) and not isinstance(node, bool)


def _json_string_content(raw: str) -> str | None:
    """The value a span of a JSON string literal's inside stands for (None if not one)."""
    if "\\" not in raw and '"' not in raw:
        return raw
    try:
        value = json.loads(f'"{raw}"')
    except ValueError:
        return None
    return value if isinstance(value, str) else None


def _dump(data: Any) -> bytes:
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate ("\ud800") in the original: keep it escaped
        return json.dumps(data, ensure_ascii=True, separators=(",", ":")).encode("ascii")


def _resolve(data: Any, path: Path) -> tuple[Any, Any]:
    """(container, key or index) of the value a path leads to.

    Only object members (Key, by their real name) and array elements (Index) are walked,
    after the mark of a generic JSON document's root; any other mark (a form field, a
    multipart part, a decoded file, JSON held in a string, a whole body) does not resolve.
    """
    steps = path.steps
    if path.marks() == {"json"} and steps and not isinstance(steps[0], Key | Index):
        steps = steps[1:]  # "$": the document itself
    if not steps:
        raise _Unresolved  # the root itself is no string in a container
    node: Any = data
    container: Any = None
    accessor: Any = None
    for step in steps:
        container = node
        if isinstance(step, Key) and isinstance(node, dict) and step.name in node:
            accessor = step.name
        elif isinstance(step, Index) and isinstance(node, list) and step.index < len(node):
            accessor = step.index
        else:
            raise _Unresolved
        node = container[accessor]
    return container, accessor
