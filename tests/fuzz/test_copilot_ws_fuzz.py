"""parse_client_frame never raises: a ClientFrame with non-blank parts, or None."""

from __future__ import annotations

import json

from hypothesis import example, given
from hypothesis import strategies as st

from extract.copilot_ws import RS, ClientFrame, parse_client_frame
from tests.fuzz.support import budget, dump, json_values, mutated_bytes, tick

SEND = {
    "event": "send",
    "conversationId": "c1",
    "mode": "chat",
    "content": [{"type": "text", "text": "Hallo Erika"}],
}
INVOKE = {
    "type": 4,
    "target": "chat",
    "invocationId": "0",
    "arguments": [
        {
            "message": {"author": "user", "text": "Hallo"},
            "previousMessages": [{"author": "user", "description": "Seite"}],
        }
    ],
}
FRAME_KEYS = st.sampled_from(
    [
        "event",
        "content",
        "type",
        "text",
        "context",
        "conversationId",
        "target",
        "invocationId",
        "arguments",
        "message",
        "previousMessages",
        "description",
        "mode",
    ]
)
FRAME_VALUES = st.one_of(
    st.sampled_from(["send", 1, 4, 6, "chat", None]),
    json_values(12),
)


def check(data: str | bytes) -> None:
    frame = parse_client_frame(data)
    if frame is None:
        return
    assert isinstance(frame, ClientFrame) and frame.protocol in ("copilot", "signalr")
    assert frame.parts
    for part in frame.parts:
        where, text = part.location, part.text
        assert isinstance(where, str) and isinstance(text, str) and text.strip()


@st.composite
def frames(draw: st.DrawFn) -> str | bytes:
    records = []
    for _ in range(draw(st.integers(1, 3))):
        base = draw(st.sampled_from([SEND, INVOKE, {}]))
        obj = {**base, **draw(st.dictionaries(FRAME_KEYS, FRAME_VALUES, max_size=4))}
        records.append(dump(obj, draw(st.booleans())).decode("utf-8", "surrogatepass"))
    signalr = draw(st.booleans())
    text = (RS.join(records) + RS) if signalr else records[0]
    if draw(st.booleans()):
        return draw(mutated_bytes(text.encode("utf-8", "surrogatepass")))
    return text


@budget(3)
@given(frame=frames())
def test_json_frames(frame: str | bytes) -> None:
    tick()
    check(frame)


@budget(2)
@given(frame=st.one_of(st.text(max_size=200), st.binary(max_size=200)))
def test_random_frames(frame: str | bytes) -> None:
    tick()
    check(frame)


@budget(0.5)
@given(
    depth=st.sampled_from([500, 999, 1000, 1001, 5000, 100_000]),
    where=st.sampled_from(
        [
            "{}",
            '{{"event": "send", "content": {}}}',
            '{{"event": "send", "context": {}}}',
            '{{"type": 4, "arguments": {}}}\x1e',
        ]
    ),
    closed=st.booleans(),
)
@example(depth=100_000, where="{}", closed=False)  # was a RecursionError
@example(depth=100_000, where='{{"type": 4, "arguments": {}}}\x1e', closed=True)
def test_deeply_nested_frames(depth: int, where: str, closed: bool) -> None:
    """Regression (fuzz): JSON deeper than the parser goes raised RecursionError; such a
    frame is now scanned whole, like any frame that is not JSON."""
    tick()
    inner = "[" * depth + '"Erika"' + ("]" * depth if closed else "")
    frame = where.format(inner)
    check(frame)
    result = parse_client_frame(frame)
    if depth >= 100_000:
        assert result is not None and result.unparsed


def test_signalr_frame_of_the_fixture_shape_still_parses() -> None:
    tick()
    frame = parse_client_frame(json.dumps(INVOKE) + RS)
    assert frame is not None and frame.protocol == "signalr" and not frame.unparsed
