"""The answer the gateway gives instead of forwarding a blocked prompt.

Each answer is shaped like the provider's own, so that unmodified clients and the
official SDKs show the policy message: as a typed error for plain requests, as the
assistant's streamed reply for streaming requests (a stream that fails mid-way is
rendered by most chat UIs as a generic network error and the message would be lost).
The web apps get the policy message in their own answer format (answers/web/, one
module per app; docs/web-apps.md says what each shows): as the assistant's streamed
answer where the app streams one (ChatGPT, Claude, Gemini, Perplexity, DeepSeek, Le
Chat's chat), as the error its UI displays where the request carries no answer
(HuggingChat, Le Chat's tRPC calls, Poe's send, M365 Copilot's upload). Services
without a format of their own ("generic") get an OpenAI-shaped JSON error when the
client asked for JSON or a stream, and a small HTML page otherwise.
"""

import html
import re
import time
import uuid
from typing import Any

from answers.encoding import Response, error, event, new_id, sse
from answers.encoding import json_text as _json
from answers.web import chatgpt, copilot, deepseek, gemini, huggingchat, lechat, perplexity, poe
from extract.model import Api

__all__ = ["Response", "block_response"]

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
    path: str = "",
    encoding: str | None = None,
) -> Response:
    """Status, headers and body to send back in place of the upstream answer.

    accept (the request's Accept header) and lang (the page language) only shape the
    "generic" answer; the provider APIs always get their own format. path (the request
    path with its query) and encoding (Prompt.answer_encoding) shape the web apps'.
    """
    model_name = model or _FALLBACK_MODEL
    if api == "anthropic_messages":
        if stream:
            return sse(_anthropic_stream(model_name, message))
        return error(_anthropic_error(message), {"request-id": new_id("req_leitplanke_")})
    if api == "gemini_generate":  # streamed or not, the SDKs raise on the status first
        return error(_gemini_error(message), {})
    if api in ("bedrock_invoke", "bedrock_converse", "bedrock_other"):
        return _bedrock_error(message)
    if api in ("ollama_chat", "ollama_generate"):
        return error({"error": message}, {})
    if api in ("openai_chat", "openai_responses", "openai_completions", "openai_embeddings"):
        if stream and api == "openai_chat":
            return sse(_chat_stream(model_name, message))
        if stream and api == "openai_responses":
            return sse(_responses_stream(model_name, message))
        if stream and api == "openai_completions":
            return sse(_completions_stream(model_name, message))
        headers = {"x-request-id": new_id("req_leitplanke_")}
        return error(_openai_error(message, code), headers)
    web = _web_app(api, model_name, message, path, encoding)
    if web is not None:
        return web
    # generic: any other service
    if _wants_json(accept):
        return error(_openai_error(message, code), {})
    return _html_page(message, lang)


def _web_app(
    api: str, model: str, message: str, path: str, encoding: str | None
) -> Response | None:
    """The web apps' answers (answers/web/), or None for an Api that is no web app."""
    if api == "claude_web":  # the web app always streams, in the Messages API's events
        return sse(_anthropic_stream(model, message))
    if api == "chatgpt_web":
        return chatgpt.conversation_stream(model, message, encoding)
    if api == "gemini_web":
        return gemini.stream_generate(message)
    if api == "perplexity_web":
        return perplexity.ask_stream(None if model == _FALLBACK_MODEL else model, message)
    if api == "deepseek_web":
        return deepseek.completion_stream(message)
    if api == "lechat_chat":
        return lechat.chat_stream(message)
    if api in ("lechat_web", "lechat_upload"):
        return lechat.trpc_error(path, message)
    if api in ("poe_graphql", "poe_upload"):
        return poe.send_refusal(message)
    if api == "huggingchat":
        return huggingchat.refusal(message)
    if api == "m365_upload":
        return copilot.upload_refusal(message)
    return None


# --- OpenAI -------------------------------------------------------------------------


def _openai_error(message: str, code: str) -> dict[str, Any]:
    return {"error": {"message": message, "type": "policy_violation", "code": code, "param": None}}


def _chat_stream(model: str, message: str) -> list[str]:
    chunk_id, created = new_id("chatcmpl-leitplanke-"), int(time.time())

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
    chunk_id, created = new_id("cmpl-leitplanke-"), int(time.time())

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
    response_id, item_id = new_id("resp_leitplanke_"), new_id("msg_leitplanke_")
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
        event(name, {"type": name, "sequence_number": seq} | data)
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
        "id": new_id("msg_leitplanke_"),
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
    return [event(name, {"type": name} | data) for name, data in events]


# --- Gemini API -------------------------------------------------------------------------


def _gemini_error(message: str) -> dict[str, Any]:
    # google.rpc.Status as the Gemini API and Vertex AI send it.
    return {"error": {"code": _ERROR_STATUS, "message": message, "status": "PERMISSION_DENIED"}}


def _bedrock_error(message: str) -> Response:
    """Bedrock's rest-json error (AccessDeniedException, HTTP 403, as in its API model):
    botocore takes the code from x-amzn-ErrorType and raises
    `ClientError: An error occurred (AccessDeniedException) when calling the Converse
    operation: <message>`; streaming operations fail the same way, before any event.
    403 is not retried by botocore's retry modes."""
    headers = {
        "content-type": "application/json",
        "x-amzn-errortype": "AccessDeniedException:http://internal.amazon.com/coral/com.amazon.bedrock/",
        "x-amzn-requestid": str(uuid.uuid4()),
    }
    return _ERROR_STATUS, headers, _json({"message": message}).encode("utf-8")


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
