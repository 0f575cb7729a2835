"""Gemini: POST …/assistant.lamda.BardFrontendService/StreamGenerate.

application/x-www-form-urlencoded: f.req=[null,"<JSON string>"]&at=<XSRF token>. The
JSON string is a nested array whose [0][0] is the prompt; positions of everything else
shift between releases, so every string leaf is taken, JSON strings are entered.
"""

import re
from collections.abc import Iterator
from typing import Any

from extract.forms import FORM_NAME, parse_form
from extract.json_walk import MAX_JSON_DEPTH, parse_json, path_segment, worth_scanning
from extract.media import media_type
from extract.model import Api, ExtractError, Found, Prompt, Reader, TextPart, prompt_of
from extract.path import ROOT, Path

FIELD = ROOT.mark("form", "form:")  # then the field's name

# Conversation/response/choice ids, and the "!…" anti-abuse token: no prose.
_GEMINI_ID = re.compile(r"(?:c|r|rc)_[0-9a-f]{6,}|![A-Za-z0-9_-]{20,}")
_MAX_EMBEDDED = 4  # JSON in a string in a string …


def _gemini_web(body: bytes, content_type: str | None) -> Prompt:
    _, charset = media_type(content_type)
    found: list[Found] = []
    has_request = False
    fields = [(n, v or "") for n, v in parse_form(body, charset or "utf-8") if n or v is not None]
    for index, (name, value) in enumerate(fields):
        if name == "at":  # the XSRF token
            continue
        where = FIELD.key(name, index, "bare" if FORM_NAME.fullmatch(name) else "position")
        if name == "f.req":
            has_request = True
            try:
                data = parse_json(value)
            except ExtractError as exc:
                raise ExtractError(f"form field f.req: {exc}") from None
            found.extend(_embedded_leaves(data, where, depth=0, nesting=0))
        elif worth_scanning(value):
            found.append(TextPart(where, value))
    if not has_request:
        raise ExtractError("form field f.req is missing")
    return prompt_of("gemini_web", found, stream=True, model=None)


def _embedded_leaves(value: object, where: Path, *, depth: int, nesting: int) -> Iterator[Found]:
    """String leaves of a JSON value, entering strings that hold JSON (joined by "→")."""
    if depth > MAX_JSON_DEPTH:
        raise ExtractError("request body is nested too deeply")
    if isinstance(value, str):
        inner = _embedded_json(value) if nesting < _MAX_EMBEDDED else None
        if inner is not None:
            inside = where.mark("string_json", "→")
            yield from _embedded_leaves(inner, inside, depth=depth + 1, nesting=nesting + 1)
        elif worth_scanning(value) and not _GEMINI_ID.fullmatch(value.strip()):
            yield TextPart(where, value)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _embedded_leaves(item, where.index(index), depth=depth + 1, nesting=nesting)
    elif isinstance(value, dict):
        for index, (key, item) in enumerate(value.items()):
            step = where.then(path_segment(key, index))
            yield from _embedded_leaves(item, step, depth=depth + 1, nesting=nesting)


def _embedded_json(value: str) -> list[Any] | dict[str, Any] | None:
    if value.lstrip()[:1] not in ("[", "{"):
        return None
    try:
        data = parse_json(value)
    except ExtractError:
        return None  # brackets in a prompt: text after all
    return data if isinstance(data, list | dict) else None


READERS: dict[Api, Reader] = {"gemini_web": _gemini_web}
