"""DeepSeek (POST /api/v0/chat/completion, …/edit_message), as two reference clients
read it.

- xtekky/gpt4free g4f/Provider/needs_auth/DeepSeek.py: the answer must be
  text/event-stream; every `data:` line is JSON; a dict `v` yields the contents of
  `v.response.fragments` (type THINK is reasoning); {"p": "response/fragments", "o":
  "APPEND", "v": [fragments]} yields theirs; {"p": …/content, "v": str} yields the
  string; {"p": "response/status", "v": "FINISHED"} ends; a bare string `v` yields it.
- Foxic05/foxroute providers/web/deepseek.py: `data: ` lines; the path is remembered
  from the last `p`; a list `v` is a batch of operations; a dict `v` is the response
  snapshot (`response.content` is text, status FINISHED ends); a string `v` on
  response/content is text, on response/thinking_content reasoning, on
  response/status FINISHED|STOP the end. An answer without text fails.
"""

from __future__ import annotations

import json
from typing import Any

from tests.answers.reference_parsers import Unreadable
from tests.answers.reference_parsers.common import Answer, data_lines, lines, ok


def gpt4free(answer: Answer) -> str:
    _, headers, _ = answer
    body = ok(answer)
    if "text/event-stream" not in headers.get("content-type", "").lower():
        raise Unreadable("Expected SSE response")
    out: list[str] = []
    thinking = False
    for text in data_lines(body):
        if not text:
            continue
        if text.startswith("[DONE]"):
            break
        data = json.loads(text)
        if not isinstance(data, dict):
            continue
        value, path = data.get("v"), data.get("p")
        if "v" in data and isinstance(value, dict):
            for fragment in value.get("response", {}).get("fragments", []):
                if isinstance(fragment, dict) and "content" in fragment:
                    thinking = thinking or fragment.get("type") == "THINK"
                    content = fragment["content"]
                    if isinstance(content, str) and content and not thinking:
                        out.append(content)
        elif path == "response/fragments" and data.get("o") == "APPEND" and isinstance(value, list):
            for fragment in value:
                if isinstance(fragment, dict) and isinstance(fragment.get("content"), str):
                    thinking = False
                    out.append(fragment["content"])
        elif "p" in data and "v" in data:
            if path.endswith("/content") and isinstance(value, str):
                if not thinking:
                    out.append(value)
            elif path == "response/status" and value == "FINISHED":
                break
        elif data.get("o") == "BATCH" and "v" in data:
            continue
        elif isinstance(value, str) and not thinking:
            out.append(value)
    if not out:
        raise Unreadable("no answer text")
    return "".join(out)


def _apply(operation: Any, state: dict[str, Any], out: list[tuple[str, str]]) -> None:
    if not isinstance(operation, dict):
        return
    if "p" in operation:
        state["path"] = operation["p"]
    path = operation.get("p", state.get("path"))
    value = operation.get("v")
    if isinstance(value, list):
        for nested in value:
            _apply(nested, state, out)
        return
    if isinstance(value, dict):
        response = value.get("response")
        if not isinstance(response, dict):
            return
        if response.get("content"):
            out.append(("text", response["content"]))
        if response.get("status") in ("FINISHED", "STOP"):
            out.append(("stop", ""))
        return
    if not isinstance(value, str):
        return
    if path == "response/content":
        out.append(("text", value))
    elif path == "response/thinking_content":
        out.append(("thinking", value))
    elif path == "response/status" and value in ("FINISHED", "STOP"):
        out.append(("stop", ""))


def foxroute(answer: Answer) -> str:
    state: dict[str, Any] = {}
    text: list[str] = []
    for line in lines(ok(answer)):
        if not line.startswith("data: "):
            continue
        chunk = line[6:].strip()
        if not chunk or chunk in ("[DONE]", '"[DONE]"'):
            continue
        try:
            data = json.loads(chunk)
        except ValueError:
            continue
        out: list[tuple[str, str]] = []
        if isinstance(data, dict) and data.get("choices"):  # the earlier OpenAI-like layout
            delta = data["choices"][0].get("delta") or {}
            if delta.get("content"):
                out.append(("text", delta["content"]))
            if data["choices"][0].get("finish_reason"):
                out.append(("stop", ""))
        else:
            _apply(data, state, out)
        for kind, piece in out:
            if kind == "stop":
                return _produced(text)
            if kind == "text" and piece:
                text.append(piece)
    return _produced(text)


def _produced(text: list[str]) -> str:
    if not text:
        raise Unreadable("empty answer")
    return "".join(text)
