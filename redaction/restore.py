"""Put redacted values back into an AI service's answer (issue 6).

The request went out with placeholders (`<PERSON_1>`, see redact.py); the model answers
with them, and the user must read the originals. Only placeholders the conversation's
PlaceholderMap knows are replaced; any other `<FOO_1>` stays as it is.

- `restore_text(text, mapping)`: plain text.
- `restore_json_body(body, mapping)`: a whole (non-streamed) JSON answer; every string
  value is restored and the JSON re-serialised, so an original with a quote or a
  newline is escaped correctly. A body without a known placeholder is returned as is.
- `StreamRestorer(mapping)` (redaction/stream.py): a streamed answer, usable directly as
  mitmproxy's `flow.response.stream`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from redaction.memory import PLACEHOLDER, PlaceholderMap

Originals = PlaceholderMap | Mapping[str, str]


_PLACEHOLDER_BYTES = re.compile(PLACEHOLDER.pattern.encode("ascii"))


_INNER_JSON_KEYS = frozenset({"arguments", "partial_json"})  # strings holding a JSON document


_UNTOUCHED_KEYS = frozenset({"signature"})


UNTOUCHED_TYPES = frozenset({"thinking", "redacted_thinking", "thinking_delta", "signature_delta"})


def _snapshot(mapping: Originals) -> dict[str, str]:
    if isinstance(mapping, PlaceholderMap):
        return mapping.snapshot()
    return dict(mapping)


def json_escape(value: str) -> str:
    """value as it appears between the quotes of a JSON string."""
    return json.dumps(value, ensure_ascii=False)[1:-1]


class Table:
    """One response's placeholders: originals raw and escaped, and their prefixes."""

    def __init__(self, mapping: Originals) -> None:
        self.raw = _snapshot(mapping)
        self.escaped = {p: json_escape(v) for p, v in self.raw.items()}
        self.escaped_bytes = {p.encode(): v.encode("utf-8") for p, v in self.escaped.items()}
        self.longest = max((len(p) for p in self.raw), default=0)
        # Proper prefixes only: a whole placeholder is replaced, not held.
        self.prefixes = {p[:n] for p in self.raw for n in range(1, len(p))}
        self.prefixes_bytes = {prefix.encode() for prefix in self.prefixes}

    def text(self, text: str, *, escape: bool = False) -> str:
        if "<" not in text or not self.raw:
            return text
        table = self.escaped if escape else self.raw
        return PLACEHOLDER.sub(lambda m: table.get(m.group(0), m.group(0)), text)

    def data(self, data: bytes) -> bytes:
        if b"<" not in data or not self.raw:
            return data
        table = self.escaped_bytes
        return _PLACEHOLDER_BYTES.sub(lambda m: table.get(m.group(0), m.group(0)), data)

    def tail_start(self, text: str) -> int:
        """Where a trailing possible placeholder beginning starts (len(text) if none)."""
        start = text.rfind("<", max(0, len(text) - self.longest + 1))
        return start if start >= 0 and text[start:] in self.prefixes else len(text)

    def tail_start_bytes(self, data: bytes) -> int:
        start = data.rfind(b"<", max(0, len(data) - self.longest + 1))
        return start if start >= 0 and data[start:] in self.prefixes_bytes else len(data)

    def restore_value(self, value: Any, key: str | None = None) -> tuple[Any, bool]:
        """(value with every string restored, whether anything changed)."""
        if isinstance(value, str):
            restored = self.text(value, escape=key in _INNER_JSON_KEYS)
            return restored, restored != value
        if isinstance(value, dict):
            if value.get("type") in UNTOUCHED_TYPES:
                return value, False
            changed = False
            for k, v in value.items():
                if k in _UNTOUCHED_KEYS and isinstance(v, str):
                    continue
                new, did = self.restore_value(v, k)
                if did:
                    value[k], changed = new, True
            return value, changed
        if isinstance(value, list):
            changed = False
            for i, v in enumerate(value):
                new, did = self.restore_value(v, key)
                if did:
                    value[i], changed = new, True
            return value, changed
        return value, False


def restore_text(text: str, mapping: Originals) -> str:
    """text with every known placeholder replaced by its original."""
    return Table(mapping).text(text)


def restore_json_body(body: bytes, mapping: Originals) -> bytes:
    """A whole JSON answer with placeholders restored inside its string values.

    A body that is not JSON (an error page, plain text) is restored at byte level with
    the originals inserted JSON-escaped; a body without a known placeholder is returned
    unchanged, byte for byte.
    """
    table = Table(mapping)
    if not table.raw or not any(
        m.group(0) in table.escaped_bytes for m in _PLACEHOLDER_BYTES.finditer(body)
    ):
        return body
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return table.data(body)
    data, _ = table.restore_value(data)
    return dump_json(data)


def dump_json(data: Any) -> bytes:
    try:
        return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate (an emoji split by the model's tokens)
        return json.dumps(data, ensure_ascii=True, separators=(",", ":")).encode("ascii")
