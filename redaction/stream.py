"""Put redacted values back into a streamed answer (see restore.py for whole bodies).

A placeholder can be split anywhere: across network chunks (at any byte, even
inside a multi-byte character) and — the usual case — across two SSE events, e.g. an
OpenAI delta "…<IB" followed by "AN_1>…". In the byte stream the second half then sits
behind `"}}]}\\n\\ndata: {…"content":"`, so byte-level matching cannot see it. Hence, for
`text/event-stream`, the restorer works per SSE event:

- Bytes of an incomplete event are kept until its blank line arrives. SSE clients
  dispatch an event only at that blank line, so this delays nothing a client could
  use; every complete event is emitted at once. (An event larger than
  `max_event_bytes` switches the stream to the byte-level mode below.)
- Known formats have their text deltas restored with a per-stream text tail carried
  across events: OpenAI chat `choices[].delta.content` / `.refusal` / tool call
  `function.arguments`, OpenAI Responses `response.output_text.delta`,
  `response.refusal.delta`, `response.function_call_arguments.delta`, and Anthropic
  `content_block_delta` with `text_delta` / `input_json_delta`. Only text that could
  still be the beginning of a known placeholder (`<`, `<IB`, `<IBAN_1`) is held back —
  at most one character less than the longest placeholder — and it is emitted at the
  front of the next delta of the same stream. When that stream ends instead (finish
  reason, content_block_stop, any other event, end of the response) the held text is
  emitted in a copy of that stream's last delta event, placed before the ending event.
  (Such a copy repeats the Responses API's `sequence_number`.)
- Any other JSON event (`response.output_text.done`, `response.completed`,
  `content_block_start`, unknown formats) has every string value restored within the
  event; placeholders split across events of unknown formats are not restored.
- Tool call arguments and `partial_json` are JSON documents inside a string, so the
  original is inserted JSON-escaped there. Anthropic thinking (signed, and sent back
  verbatim by clients) and `signature` fields are never changed.
- Events are only re-serialised (compact JSON, one `data:` line) when something in them
  changed; everything else is passed through byte for byte.

Byte level (`StreamRestorer(mapping, sse=False)`, non-JSON SSE events, oversize events):
placeholders are replaced wherever their bytes are contiguous, holding back only a tail
that could still be a placeholder's beginning. The original is inserted JSON-escaped
(the safe choice for the JSON payloads nearly all streams carry; it also keeps SSE
framing intact, as no raw newline is inserted).

The restorer expects the decoded stream: when redacting, the caller must make sure the
streamed response is not content-encoded (e.g. drop the request's Accept-Encoding).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from redaction.restore import Originals, Table, dump_json
from redaction.sse_deltas import NEUTRAL, classify

DEFAULT_MAX_EVENT_BYTES = 2 * 1024 * 1024


_EOL = re.compile(rb"\r\n|\n|\r")


@dataclass
class _Channel:
    """One text stream inside the SSE stream (a choice's content, a content block…)."""

    held: str  # text held back: the beginning of a possible placeholder
    escape: bool  # inside a JSON document (tool arguments): insert originals escaped
    template: Callable[[str], dict[str, Any]]  # a delta event carrying the given text
    prelude: bytes  # the template event's non-data lines (e.g. "event: …")
    eol: bytes


class StreamRestorer:
    """Restore placeholders in a streamed answer chunk by chunk.

    `feed(chunk)` returns what can be passed on now, `finish()` the rest at the end.
    As mitmproxy's `flow.response.stream` callable: mitmproxy 12 calls it with every
    received chunk (never empty ones: its HTTP/1, /2 and /3 layers drop empty data) and,
    at the end of the message, once with b"" — then `finish()` runs. A returned b"" at
    the end is sent as nothing; mid-stream an empty chunk goes out as an empty write.
    """

    def __init__(
        self,
        mapping: Originals,
        *,
        sse: bool = True,
        max_event_bytes: int = DEFAULT_MAX_EVENT_BYTES,
    ) -> None:
        self._table = Table(mapping)
        self._sse = sse and bool(self._table.raw)
        self._max_event_bytes = max_event_bytes
        self._buffer = b""  # SSE: the incomplete event
        self._scan = 0  # SSE: start of the buffer's first unterminated line
        self._pending = b""  # byte level: a possible placeholder beginning
        self._channels: dict[tuple[Any, ...], _Channel] = {}

    def __repr__(self) -> str:
        return f"StreamRestorer({len(self._table.raw)} placeholders)"

    def __call__(self, chunk: bytes) -> list[bytes]:
        """mitmproxy's `flow.response.stream` contract. Returns a list, never b"":
        mitmproxy forwards an empty chunk as-is, and on a chunked HTTP/1 answer that
        is the zero-length chunk which ends the body for the client."""
        out = self.finish() if chunk == b"" else self.feed(chunk)
        return [out] if out else []

    @property
    def longest_placeholder(self) -> int:
        return self._table.longest

    @property
    def held_text(self) -> int:
        """Characters of delta text held back across SSE events (all streams)."""
        return sum(len(channel.held) for channel in self._channels.values())

    @property
    def held_bytes(self) -> int:
        """Bytes held back at byte level (a possible placeholder beginning)."""
        return len(self._pending)

    @property
    def buffered_event(self) -> int:
        """Bytes of the incomplete SSE event waiting for its blank line."""
        return len(self._buffer)

    def feed(self, chunk: bytes) -> bytes:
        if not self._table.raw:
            return chunk
        if not self._sse:
            return self._feed_bytes(chunk)
        self._buffer += chunk
        out: list[bytes] = []
        for event in self._complete_events():
            out.append(self._event(event))
        if len(self._buffer) > self._max_event_bytes:
            # An event this large is not a delta: carry on at byte level for good.
            out.append(self._flush_channels())
            self._sse = False
            rest, self._buffer, self._scan = self._buffer, b"", 0
            out.append(self._feed_bytes(rest))
        return b"".join(out)

    def finish(self) -> bytes:
        """Everything still held back, restored as far as possible; resets the state."""
        if not self._table.raw:
            return b""
        out = [self._flush_channels()]
        if self._buffer:  # an unterminated last event: clients discard it, pass it on
            out.append(self._table.data(self._buffer))
        out.append(self._table.data(self._pending))
        self._buffer, self._scan, self._pending = b"", 0, b""
        return b"".join(out)

    # --- byte level ---

    def _feed_bytes(self, chunk: bytes) -> bytes:
        data = self._pending + chunk
        cut = self._table.tail_start_bytes(data)
        self._pending = data[cut:]
        return self._table.data(data[:cut])

    # --- SSE framing ---

    def _complete_events(self) -> Iterator[bytes]:
        """Cut every event whose terminating blank line has arrived off the buffer."""
        while True:
            end = self._event_end()
            if end is None:
                return
            event, self._buffer, self._scan = self._buffer[:end], self._buffer[end:], 0
            yield event

    def _event_end(self) -> int | None:
        buffer, position = self._buffer, self._scan
        while True:
            match = _EOL.search(buffer, position)
            if match is None:
                self._scan = position
                return None
            if match.group() == b"\r" and match.end() == len(buffer):
                self._scan = position  # "\r" may yet become "\r\n": decide later
                return None
            if match.start() == position:  # an empty line ends the event
                return match.end()
            position = match.end()

    # --- SSE events ---

    def _event(self, raw: bytes) -> bytes:
        lines = _lines(raw)
        data_lines = [i for i, (line, _) in enumerate(lines) if _field(line)[0] == b"data"]
        if not data_lines:
            return raw  # comment, keep-alive, retry: no text, nothing ends
        try:
            payload = "\n".join(_field(lines[i][0])[1].decode("utf-8") for i in data_lines)
        except UnicodeDecodeError:
            return self._flush_channels() + self._table.data(raw)
        if payload.strip() == "[DONE]":
            return self._flush_channels() + raw
        try:
            obj = json.loads(payload)
        except (ValueError, RecursionError):
            return self._flush_channels() + self._table.data(raw)
        if not isinstance(obj, dict):
            return self._flush_channels() + self._table.data(raw)

        prelude = b"".join(
            line + eol for i, (line, eol) in enumerate(lines) if i not in data_lines and line
        )
        eol = lines[data_lines[0]][1] or b"\n"
        kind = classify(obj)
        if kind is None:  # any other event: streams end here, restore within the event
            flushed = self._flush_channels()
            obj, changed = self._table.restore_value(obj)
            return flushed + (self._render(lines, data_lines, obj, eol) if changed else raw)
        if kind is NEUTRAL:
            return raw
        deltas, ending = kind.deltas, kind.ending
        out = [self._flush_channels(ending, keep={d.key for d in deltas})]
        changed = False
        for delta in deltas:
            channel = self._channels.get(delta.key)
            held = channel.held if channel else ""
            text = delta.container[delta.field]
            combined = held + text
            ends = any(_covers(prefix, delta.key) for prefix in ending)
            cut = len(combined) if ends else self._table.tail_start(combined)
            restored = self._table.text(combined[:cut], escape=delta.escape)
            if combined[cut:]:
                self._channels[delta.key] = _Channel(
                    combined[cut:], delta.escape, delta.template, _keep_prelude(prelude), eol
                )
            else:
                self._channels.pop(delta.key, None)
            if restored != text:
                delta.container[delta.field] = restored
                changed = True
        out.append(self._render(lines, data_lines, obj, eol) if changed else raw)
        return b"".join(out)

    def _flush_channels(
        self, which: frozenset[Any] | None = None, keep: set[tuple[Any, ...]] | None = None
    ) -> bytes:
        """Emit held text in copies of the channels' last delta events.

        which: channel keys or key prefixes to flush (None: all); keep: keys the current
        event continues (its own delta takes their held text instead).
        """
        out: list[bytes] = []
        for key in list(self._channels):
            if keep and key in keep:
                continue
            if which is not None and not any(_covers(prefix, key) for prefix in which):
                continue
            channel = self._channels.pop(key)
            text = self._table.text(channel.held, escape=channel.escape)
            data = dump_json(channel.template(text))
            out.append(channel.prelude + b"data: " + data + channel.eol + channel.eol)
        return b"".join(out)

    @staticmethod
    def _render(
        lines: list[tuple[bytes, bytes]], data_lines: list[int], obj: Any, eol: bytes
    ) -> bytes:
        out: list[bytes] = []
        for i, (line, line_eol) in enumerate(lines):
            if i == data_lines[0]:
                out.append(b"data: " + dump_json(obj) + eol)
            elif i not in data_lines:
                out.append(line + line_eol)
        return b"".join(out)


def _covers(prefix: tuple[Any, ...], key: tuple[Any, ...]) -> bool:
    return key[: len(prefix)] == prefix


def _lines(raw: bytes) -> list[tuple[bytes, bytes]]:
    """(line, its end of line) pairs; the last pair is the terminating blank line."""
    lines: list[tuple[bytes, bytes]] = []
    position = 0
    for match in _EOL.finditer(raw):
        lines.append((raw[position : match.start()], match.group()))
        position = match.end()
    if position < len(raw):
        lines.append((raw[position:], b""))
    return lines


def _field(line: bytes) -> tuple[bytes, bytes]:
    if line.startswith(b":"):
        return b"", line
    name, _, value = line.partition(b":")
    return name, value[1:] if value.startswith(b" ") else value


def _keep_prelude(prelude: bytes) -> bytes:
    # A copied event keeps its "event:" line, not an "id:" (ids must not repeat).
    return b"".join(
        line + eol for line, eol in _lines(prelude) if _field(line)[0] not in (b"id", b"")
    )
