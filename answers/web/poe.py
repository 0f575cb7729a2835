"""Poe: a refused send (GraphQL sendMessageMutation via /api/gql_POST or
/api/gql_upload_POST), and the frames of Poe's update socket.

The HTTP reply to a send carries no answer text, only the created message's id under
data.messageEdgeCreate; the bot's text arrives on the tchannel WebSocket
(tch*.tch.poe.com) as `messageAdded` updates. A send the service refuses comes back
with HTTP 200, `status` other than "success" and a `statusMessage` (reached_limit,
no_access, …), which the clients show as the error (foxroute raises it; poe-api
wrappers raise `statusMessage`). That is the gateway's answer to a blocked send: the
policy message as statusMessage, no message, no chat.

`message_added_frame` builds the socket's envelope for a bot message, for a guard that
answers on the update socket itself.
"""

from __future__ import annotations

import time
import uuid

from answers.encoding import Response, json_response, json_text

BLOCKED_STATUS = "leitplanke_blocked"


def send_refusal(message: str) -> Response:
    edge = {
        "status": BLOCKED_STATUS,
        "statusMessage": message,
        "message": None,
        "chat": None,
        "bot": None,
    }
    return json_response(200, {"data": {"messageEdgeCreate": edge}}, {})


def message_added_frame(message: str, *, chat_id: int | None = None) -> str:
    """One text frame of the update socket carrying a complete bot message."""
    added = {
        "id": "TWVzc2FnZTo" + uuid.uuid4().hex[:12],
        "messageId": int(time.time() * 1000),
        "creationTime": int(time.time() * 1_000_000),
        "state": "complete",
        "text": message,
        "author": "leitplanke",
        "contentType": "text_markdown",
        "chatId": chat_id,
    }
    update = {
        "message_type": "subscriptionUpdate",
        "payload": {
            "subscription_name": "messageAdded",
            "unique_id": "messageAdded-" + uuid.uuid4().hex[:8],
            "data": {"messageAdded": added},
        },
    }
    return json_text({"messages": [json_text(update)], "min_seq": 0})
