"""The gateway's answer to a blocked WebSocket message, in the client's own protocol.

The client message is dropped (the server never sees it); these messages go to the
client instead, so that the official SDKs and the web apps show why:

    copilot, signalr   an assistant message carrying the warning, then the protocol's
                       completion (answers/copilot_ws.py)
    openai_realtime    an `error` server event (type invalid_request_error, code
                       leitplanke_policy_block, the client's event_id): the SDK's
                       `connection.recv()` returns it as RealtimeErrorEvent and the
                       session stays usable, as after any rejected client event
    gemini_live        a model turn carrying the warning (modelTurn text and
                       outputTranscription, turnComplete): google-genai's
                       `session.receive()` yields it as the answer of that turn
    json               an OpenAI-style error object, as the HTTP path answers JSON
                       clients of services without a format of their own
    opaque             nothing: a protocol we cannot speak is not sent guesses

mitmproxy (12.2) offers an addon no way to close a WebSocket with a close code, so
the block is always "drop and answer"; a Gemini Live session whose setup message was
blocked is never forwarded again (proxy_addon/websocket_guard.py).

Pure functions, no mitmproxy.
"""

from __future__ import annotations

import json
import secrets

from answers.copilot_ws import block_frames as copilot_frames
from extract.ws_frames import ClientFrame, Protocol

CODE = "leitplanke_policy_block"

# (payload, is_text) per message to inject towards the client.
Outgoing = list[tuple[bytes, bool]]


def block_messages(protocol: Protocol, message: str, frame: ClientFrame | None) -> Outgoing:
    """The messages that answer a blocked client message (none for `opaque`)."""
    if protocol in ("copilot", "signalr"):
        texts = copilot_frames(
            protocol,
            message,
            conversation_id=frame.conversation_id if frame else None,
            invocation_id=frame.invocation_id if frame else None,
        )
    elif protocol == "openai_realtime":
        texts = [realtime_error(message, frame.event_id if frame else None)]
    elif protocol == "gemini_live":
        texts = [gemini_warning(message)]
    elif protocol == "json":
        texts = [_dumps({"error": {"message": message, "type": "policy_violation", "code": CODE}})]
    else:
        texts = []
    return [(text.encode("utf-8"), True) for text in texts]


def realtime_error(message: str, client_event_id: str | None) -> str:
    """An OpenAI Realtime `error` server event (openai/types/realtime/realtime_error_event)."""
    return _dumps(
        {
            "type": "error",
            "event_id": f"event_leitplanke_{secrets.token_hex(8)}",
            "error": {
                "type": "invalid_request_error",
                "code": CODE,
                "message": message,
                "param": None,
                "event_id": client_event_id,
            },
        }
    )


def gemini_warning(message: str) -> str:
    """A Gemini Live server message: one complete model turn carrying the warning."""
    return _dumps(
        {
            "serverContent": {
                "modelTurn": {"role": "model", "parts": [{"text": message}]},
                "outputTranscription": {"text": message},
                "turnComplete": True,
            }
        }
    )


def _dumps(obj: object) -> str:
    return json.dumps(obj, ensure_ascii=False)
