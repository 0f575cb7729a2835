"""Gemini web (StreamGenerate), as xtekky/gpt4free reads it
(g4f/Provider/needs_auth/Gemini.py, gemini_utils.py).

`read_lines`: the provider's stream reader — each line alone as JSON, lists only; the
`["wrb.fr", _, "<JSON>"]` entries found anywhere in it; of their payloads the last one
with content; content = the last string of candidate[1] over the candidates at [4];
text grows by prefix. A stream without content, a BardErrorInfo or an error code at
wrb[5][2][0][1][0] fails.

`read_frames`: `parse_google_frames` — `)]}'` dropped, then chunks "<n>\\n…" whose n
counts UTF-16 code units from that newline on; every chunk must be complete and JSON.
"""

from __future__ import annotations

import json
import re
from typing import Any

from tests.answers.reference_parsers import Unreadable
from tests.answers.reference_parsers.common import Answer, lines, ok

_BARD_ERROR = re.compile(r"BardErrorInfo\s*\[(\d+)\]")
_LENGTH = re.compile(r"(\d+)\n")
_INTERNAL_CODE = re.compile(
    r"```(?:python|javascript|text)\?code_(?:reference|stdout)&code_event_index=\d+\n.*?```\n?",
    flags=re.DOTALL,
)
_GOOGLE_CONTENT = re.compile(
    r"http://googleusercontent.com/(?:image_generation|youtube|map)_content/\d+"
)


def _wrb_payloads(value: object) -> list[str]:
    if not isinstance(value, list):
        return []
    if len(value) >= 3 and value[0] == "wrb.fr" and isinstance(value[2], str):
        return [value[2]]
    return [p for item in value for p in _wrb_payloads(item)]


def _nested(value: Any, path: list[int]) -> Any:
    for key in path:
        if not isinstance(value, list) or not -len(value) <= key < len(value):
            return None
        value = value[key]
    return value


def _error_code(value: object) -> int | None:
    if isinstance(value, str):
        match = _BARD_ERROR.search(value)
        return int(match.group(1)) if match else None
    if not isinstance(value, list):
        return None
    if value and value[0] == "wrb.fr":
        code = _nested(value, [5, 2, 0, 1, 0])
        if isinstance(code, int):
            return code
    for item in value:
        code = _error_code(item)
        if code is not None:
            return code
    return None


def _content(response_part: list[Any]) -> str | None:
    parts = _nested(response_part, [4])
    if not isinstance(parts, list):
        return None
    snapshots: list[str] = []
    for part in parts:
        if not isinstance(part, list) or len(part) <= 1:
            continue
        values = part[1]
        if isinstance(values, str):
            snapshots.append(values)
        elif isinstance(values, list):
            snapshots.extend(v for v in values if isinstance(v, str))
    return snapshots[-1] if snapshots else None


def _response_part(line: list[Any]) -> list[Any] | None:
    found = []
    for payload in _wrb_payloads(line):
        try:
            part = json.loads(payload)
        except ValueError:
            continue
        if isinstance(part, list):
            found.append(part)
    for part in reversed(found):
        if _content(part) is not None:
            return part
    return found[-1] if found else None


def _clean(content: str) -> str:
    content = _GOOGLE_CONTENT.sub("", content).replace("<!-- end list -->", "")
    content = content.replace("<ctrl94>thought", "<think>").replace("<ctrl95>", "</think>")
    return _INTERNAL_CODE.sub("", content)


def read_lines(answer: Answer) -> str:
    body = ok(answer)
    out, last, errors = [], "", ""
    for raw in lines(body):
        line = raw.strip()
        errors = (errors + line)[-4096:]
        if _BARD_ERROR.search(errors):
            raise Unreadable("BardErrorInfo")
        try:
            value = json.loads(line)
        except ValueError:
            continue
        if not isinstance(value, list):
            continue
        if _error_code(value) is not None:
            raise Unreadable("Gemini error code")
        part = _response_part(value)
        content = _content(part) if part is not None else None
        if content is None:
            continue
        content = _clean(content)
        out.append(content[len(last) :] if last and content.startswith(last) else content)
        last = content
    if not last:
        raise Unreadable("Gemini stream ended without a response")
    return "".join(out)


def _utf16_chars(value: str, start: int, units: int) -> tuple[int, int]:
    count = found = 0
    while found < units and start + count < len(value):
        size = 2 if ord(value[start + count]) > 0xFFFF else 1
        if found + size > units:
            break
        found += size
        count += 1
    return count, found


def read_frames(answer: Answer) -> list[Any]:
    """Every chunk's JSON (lists spread), as parse_google_frames gives them; Unreadable
    when a chunk is cut short, is no JSON, or text is left over."""
    content = ok(answer).decode("utf-8").lstrip()
    if not content.startswith(")]}'"):
        raise Unreadable("no XSSI guard")
    content = content[4:].lstrip()
    frames: list[Any] = []
    position = 0
    while position < len(content):
        while position < len(content) and content[position].isspace():
            position += 1
        if position >= len(content):
            break
        match = _LENGTH.match(content, position)
        if match is None:
            raise Unreadable(f"no chunk length at {position}")
        length = int(match.group(1))
        start = match.start() + len(match.group(1))
        count, units = _utf16_chars(content, start, length)
        if units < length:
            raise Unreadable("chunk cut short")
        chunk = content[start : start + count].strip()
        position = start + count
        try:
            parsed = json.loads(chunk)
        except ValueError:
            raise Unreadable("chunk is no JSON") from None
        frames.extend(parsed if isinstance(parsed, list) else [parsed])
    return frames


def frames_text(answer: Answer) -> str:
    """The text the framed reader finds (the wrb.fr payload's last candidate text)."""
    texts = [
        _content(json.loads(entry[2]))
        for entry in read_frames(answer)
        if isinstance(entry, list) and entry[:1] == ["wrb.fr"]
    ]
    found = [t for t in texts if t is not None]
    if not found:
        raise Unreadable("no wrb.fr answer")
    return found[-1]
