"""The answer the gateway gives instead of forwarding a blocked prompt.

Each answer is shaped like the provider's own, so that unmodified clients and the
official SDKs show the policy message: as a typed error for plain requests, as the
assistant's streamed reply for streaming requests (a stream that fails mid-way is
rendered by most chat UIs as a generic network error and the message would be lost).
Web apps whose own stream format we can speak get the policy message as the assistant's
streamed answer: ChatGPT (its conversation SSE) and Claude (the Messages-style SSE of
its completion endpoint). The other web apps (Gemini, Perplexity, DeepSeek, Le Chat,
Poe, HuggingChat) and services without a dedicated format ("generic") get an
OpenAI-shaped JSON error when the client asked for JSON or a stream, and a small HTML
page otherwise.
"""

import html
import json
import re
import secrets
import time
import uuid
from collections.abc import Iterable
from typing import Any

from extract.model import Api

Response = tuple[int, dict[str, str], bytes]

# 403 maps to PermissionDeniedError in both SDKs and is not retried by them
# (unlike 408/409/429/5xx); x-should-retry makes that explicit for any client.
_ERROR_STATUS = 403
_FALLBACK_MODEL = "leitplanke"


def block_response(
    api: Api | str,
    *,
    stream: bool,
    model: str | None,
    message: str,
    code: str = "leitplanke_policy_block",
    accept: str | None = None,
    lang: str = "de",
) -> Response:
    """Status, headers and body to send back in place of the upstream answer.

    accept (the request's Accept header) and lang (the page language) only shape the
    "generic" answer; the provider APIs always get their own format.
    """
    model_name = model or _FALLBACK_MODEL
    if api == "anthropic_messages":
        if stream:
            return _sse(_anthropic_stream(model_name, message))
        return _error(_anthropic_error(message), {"request-id": _new_id("req_leitplanke_")})
    if api == "claude_web":  # the web app always streams
        return _sse(_anthropic_stream(model_name, message))
    if api == "chatgpt_web":
        return _sse(_chatgpt_web_stream(model_name, message))
    if api == "gemini_generate":  # streamed or not, the SDKs raise on the status first
        return _error(_gemini_error(message), {})
    if api in ("ollama_chat", "ollama_generate"):
        return _error({"error": message}, {})
    if api in ("openai_chat", "openai_responses", "openai_completions", "openai_embeddings"):
        if stream and api == "openai_chat":
            return _sse(_chat_stream(model_name, message))
        if stream and api == "openai_responses":
            return _sse(_responses_stream(model_name, message))
        if stream and api == "openai_completions":
            return _sse(_completions_stream(model_name, message))
        headers = {"x-request-id": _new_id("req_leitplanke_")}
        return _error(_openai_error(message, code), headers)
    # generic, and the web apps without an answer format of their own
    if _wants_json(accept):
        return _error(_openai_error(message, code), {})
    return _html_page(message, lang)


# --- encoding -------------------------------------------------------------------------


def _json(obj: object) -> str:
    # ensure_ascii=False keeps umlauts readable on the wire; the Unicode line separators
    # it would leave raw are escaped so that no line-splitting SSE reader breaks a frame.
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029").replace("\x85", "\\u0085")


def _new_id(prefix: str) -> str:
    return prefix + secrets.token_hex(12)


def _error(payload: dict[str, Any], extra_headers: dict[str, str]) -> Response:
    headers = {"content-type": "application/json; charset=utf-8", "x-should-retry": "false"}
    return _ERROR_STATUS, headers | extra_headers, _json(payload).encode("utf-8")


def _sse(frames: Iterable[str]) -> Response:
    headers = {"content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache"}
    return 200, headers, "".join(frames).encode("utf-8")


def _event(name: str, data: dict[str, Any]) -> str:
    return f"event: {name}\ndata: {_json(data)}\n\n"


# --- OpenAI -------------------------------------------------------------------------


def _openai_error(message: str, code: str) -> dict[str, Any]:
    return {"error": {"message": message, "type": "policy_violation", "code": code, "param": None}}


def _chat_stream(model: str, message: str) -> list[str]:
    chunk_id, created = _new_id("chatcmpl-leitplanke-"), int(time.time())

    def chunk(delta: dict[str, Any], finish_reason: str | None) -> str:
        choice = {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish_reason}
        body = {
            "id": chunk_id,
            "object": "chat.completion.chunk",
            "created": created,
            "model": model,
            "system_fingerprint": None,
            "choices": [choice],
        }
        return f"data: {_json(body)}\n\n"

    return [
        chunk({"role": "assistant", "content": ""}, None),
        chunk({"content": message}, None),
        chunk({}, "stop"),
        "data: [DONE]\n\n",
    ]


def _completions_stream(model: str, message: str) -> list[str]:
    """Legacy /v1/completions stream: text_completion chunks, then [DONE]."""
    chunk_id, created = _new_id("cmpl-leitplanke-"), int(time.time())

    def chunk(text: str, finish_reason: str | None) -> str:
        choice = {"text": text, "index": 0, "logprobs": None, "finish_reason": finish_reason}
        body = {
            "id": chunk_id,
            "object": "text_completion",
            "created": created,
            "model": model,
            "choices": [choice],
        }
        return f"data: {_json(body)}\n\n"

    return [chunk(message, None), chunk("", "stop"), "data: [DONE]\n\n"]


def _responses_stream(model: str, message: str) -> list[str]:
    response_id, item_id = _new_id("resp_leitplanke_"), _new_id("msg_leitplanke_")
    created = int(time.time())
    empty_part = {"type": "output_text", "text": "", "annotations": [], "logprobs": []}
    part = empty_part | {"text": message}
    item = {"id": item_id, "type": "message", "role": "assistant", "status": "in_progress"}
    done_item = item | {"status": "completed", "content": [part]}
    at = {"item_id": item_id, "output_index": 0, "content_index": 0}
    events: list[tuple[str, dict[str, Any]]] = [
        ("response.created", {"response": _response(response_id, model, created, [])}),
        ("response.in_progress", {"response": _response(response_id, model, created, [])}),
        ("response.output_item.added", {"output_index": 0, "item": item | {"content": []}}),
        ("response.content_part.added", at | {"part": empty_part}),
        ("response.output_text.delta", at | {"delta": message, "logprobs": []}),
        ("response.output_text.done", at | {"text": message, "logprobs": []}),
        ("response.content_part.done", at | {"part": part}),
        ("response.output_item.done", {"output_index": 0, "item": done_item}),
        ("response.completed", {"response": _response(response_id, model, created, [done_item])}),
    ]
    return [
        _event(name, {"type": name, "sequence_number": seq} | data)
        for seq, (name, data) in enumerate(events)
    ]


def _response(response_id: str, model: str, created: int, output: list[Any]) -> dict[str, Any]:
    """A Responses API response object; in progress until it has output."""
    done = bool(output)
    usage = {
        "input_tokens": 0,
        "input_tokens_details": {"cached_tokens": 0, "cache_write_tokens": 0},
        "output_tokens": 0,
        "output_tokens_details": {"reasoning_tokens": 0},
        "total_tokens": 0,
    }
    return {
        "id": response_id,
        "object": "response",
        "created_at": created,
        "status": "completed" if done else "in_progress",
        "completed_at": created if done else None,
        "model": model,
        "output": output,
        "error": None,
        "incomplete_details": None,
        "instructions": None,
        "metadata": {},
        "parallel_tool_calls": True,
        "temperature": None,
        "top_p": None,
        "tool_choice": "auto",
        "tools": [],
        "usage": usage if done else None,
    }


# --- Anthropic ------------------------------------------------------------------------


def _anthropic_error(message: str) -> dict[str, Any]:
    return {"type": "error", "error": {"type": "permission_error", "message": message}}


def _anthropic_stream(model: str, message: str) -> list[str]:
    start: dict[str, Any] = {
        "id": _new_id("msg_leitplanke_"),
        "type": "message",
        "role": "assistant",
        "content": [],
        "model": model,
        "stop_reason": None,
        "stop_sequence": None,
        "usage": {"input_tokens": 0, "output_tokens": 0},
    }
    events: list[tuple[str, dict[str, Any]]] = [
        ("message_start", {"message": start}),
        ("content_block_start", {"index": 0, "content_block": {"type": "text", "text": ""}}),
        ("content_block_delta", {"index": 0, "delta": {"type": "text_delta", "text": message}}),
        ("content_block_stop", {"index": 0}),
        (
            "message_delta",
            {
                "delta": {"stop_reason": "end_turn", "stop_sequence": None},
                "usage": {"output_tokens": 0},  # nothing was generated upstream
            },
        ),
        ("message_stop", {}),
    ]
    return [_event(name, {"type": name} | data) for name, data in events]


# --- Gemini API -------------------------------------------------------------------------


def _gemini_error(message: str) -> dict[str, Any]:
    # google.rpc.Status as the Gemini API and Vertex AI send it.
    return {"error": {"code": _ERROR_STATUS, "message": message, "status": "PERMISSION_DENIED"}}


# --- ChatGPT web app ----------------------------------------------------------------------
# Reconstructed from the app's conversation stream as of 2024/25: SSE "data:" frames each
# holding the whole assistant message so far ({"message": …, "conversation_id": …}), then
# {"type": "message_stream_complete"} and "data: [DONE]". Newer clients ask for the "v1"
# delta encoding (JSON-patch deltas after "event: delta_encoding"), but still render
# full-message frames, which need no patch base and are what we send.


def _chatgpt_web_stream(model: str, message: str) -> list[str]:
    conversation_id, message_id = str(uuid.uuid4()), str(uuid.uuid4())
    created = time.time()

    def frame(parts: list[str], status: str, end_turn: bool | None) -> str:
        body: dict[str, Any] = {
            "message": {
                "id": message_id,
                "author": {"role": "assistant", "name": None, "metadata": {}},
                "create_time": created,
                "update_time": None,
                "content": {"content_type": "text", "parts": parts},
                "status": status,
                "end_turn": end_turn,
                "weight": 1.0,
                "metadata": {
                    "model_slug": model,
                    "default_model_slug": model,
                    "finish_details": {"type": "stop", "stop_tokens": []} if end_turn else None,
                    "is_complete": True if end_turn else None,
                },
                "recipient": "all",
                "channel": None,
            },
            "conversation_id": conversation_id,
            "error": None,
        }
        return f"data: {_json(body)}\n\n"

    complete = {"type": "message_stream_complete", "conversation_id": conversation_id}
    return [
        frame([""], "in_progress", None),
        frame([message], "finished_successfully", True),
        f"data: {_json(complete)}\n\n",
        "data: [DONE]\n\n",
    ]


# --- generic: any other service ---------------------------------------------------------


def _wants_json(accept: str | None) -> bool:
    # fetch()/XHR calls of web apps ask for JSON or an event stream; browser navigations
    # ask for text/html, and */* (or nothing) is answered with the readable page too.
    wanted = (accept or "").lower()
    return "application/json" in wanted or "text/event-stream" in wanted


_PAGE_CSS = """
body { margin: 0; padding: 1rem; background: #f4f4f5; color: #18181b;
  font: 1rem/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
main { box-sizing: border-box; max-width: 40rem; margin: 10vh auto; padding: 1.25rem 1.5rem;
  background: #fff; border: 1px solid #e4e4e7; border-left: .5rem solid #d97706;
  border-radius: .5rem; overflow-wrap: anywhere; }
h1 { margin: 0 0 .75rem; font-size: 1.25rem; }
p { margin: .5rem 0; }
@media (prefers-color-scheme: dark) {
  body { background: #18181b; color: #f4f4f5; }
  main { background: #27272a; border-color: #3f3f46; border-left-color: #f59e0b; }
}
"""

# No scripts, no external resources: the page must work wherever the block lands.
_PAGE_HEADERS = {
    "content-type": "text/html; charset=utf-8",
    "cache-control": "no-store",
    "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'",
    "x-content-type-options": "nosniff",
}


# Links in the message (the approval page, the policy's intranet page, the coaching
# link) are clickable on the page; punctuation right after a link is not part of it.
_URL = re.compile(r"https?://[^\s<>\"']+")
_TRAILING = ").,;:!?"


def _linked(line: str) -> str:
    """One line of the message as HTML: escaped text, http(s) URLs as links."""
    out, position = [], 0
    for match in _URL.finditer(line):
        url = match.group(0).rstrip(_TRAILING)
        out.append(html.escape(line[position : match.start()]))
        out.append(
            f'<a href="{html.escape(url, quote=True)}" rel="noreferrer">{html.escape(url)}</a>'
        )
        position = match.start() + len(url)
    out.append(html.escape(line[position:]))
    return "".join(out)


def _html_page(message: str, lang: str) -> Response:
    paragraphs = re.split(r"\n\s*\n", message.replace("\r\n", "\n").replace("\r", "\n").strip())
    body = "\n".join(
        "<p>" + "<br>".join(_linked(line) for line in paragraph.split("\n")) + "</p>"
        for paragraph in paragraphs
    )
    page = f"""<!doctype html>
<html lang="{html.escape(lang)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>Leitplanke</title>
<style>{_PAGE_CSS}</style>
</head>
<body>
<main role="alert">
<h1>Leitplanke</h1>
{body}
</main>
</body>
</html>
"""
    return _ERROR_STATUS, dict(_PAGE_HEADERS), page.encode("utf-8")
