"""Perplexity (POST /rest/sse/perplexity_ask), as three reference clients read it.

- xtekky/gpt4free g4f/Provider/Perplexity.py: every `data:` line is JSON; per block the
  `diff_block` patches (path "/progress" skipped, "/goals…" is reasoning); a dict value
  with `chunks` is those chunks joined, else its `answer`; only field "markdown_block"
  is answer text, added by prefix.
- jamiemills/perplexity-cli src/perplexity_cli/api/{client,models}.py and
  query_streaming.py: SSE events (every event's data must be a JSON object with a
  list `blocks`); the first "ask_text" block's text from `markdown_block.chunks`, a
  `text` field, `diff_block.patches[].value` (string, or its `text`) or
  `answer_block.text`; snapshots must grow by prefix.
- Foxic05/foxroute foxroute/providers/web/perplexity.py: per event
  `blocks[].markdown_block.answer`, else a top-level `answer`/`text`; snapshots grow.
"""

from __future__ import annotations

import json
from typing import Any

from tests.answers.reference_parsers import Unreadable
from tests.answers.reference_parsers.common import (
    Accumulated,
    Answer,
    data_lines,
    foxroute_events,
    json_object,
    ok,
    sse_events,
)


def gpt4free(answer: Answer) -> str:
    full = ""
    for text in data_lines(ok(answer)):
        if not text:
            continue
        if text.startswith("[DONE]"):
            break
        event = json.loads(text)  # the client raises on invalid JSON
        for block in event.get("blocks", []):
            if block.get("intended_usage") in ("sources_answer_mode", "media_items"):
                continue
            diff = block.get("diff_block", {})
            for patch in diff.get("patches", []):
                if patch.get("path") == "/progress":
                    continue
                value = patch.get("value", "")
                if isinstance(value, dict) and "chunks" in value:
                    value = "".join(value.get("chunks", []))
                if patch.get("path").startswith("/goals"):
                    continue
                if diff.get("field") != "markdown_block":
                    continue
                value = value.get("answer", "") if isinstance(value, dict) else value
                if value and isinstance(value, str):
                    if value.startswith(full):
                        value = value[len(full) :]
                    elif full.endswith(value):
                        value = ""
                    full += value
    if not full:
        raise Unreadable("no answer text")
    return full


def _cli_block_text(block: dict[str, Any]) -> str | None:
    content = {k: v for k, v in block.items() if k != "intended_usage"}
    if "web_result_block" in content:
        return None
    markdown = content.get("markdown_block")
    if isinstance(markdown, dict) and isinstance(markdown.get("chunks"), list):
        return "".join(str(c) for c in markdown["chunks"])
    if isinstance(content.get("text"), str):
        return str(content["text"])
    diff = content.get("diff_block")
    if isinstance(diff, dict) and isinstance(diff.get("patches"), list):
        for patch in diff["patches"]:
            value = patch.get("value") if isinstance(patch, dict) else None
            if isinstance(value, str):
                return value
            if isinstance(value, dict) and isinstance(value.get("text"), str):
                return str(value["text"])
    answer_block = content.get("answer_block")
    if isinstance(answer_block, dict) and isinstance(answer_block.get("text"), str):
        return str(answer_block["text"])
    return None


def perplexity_cli(answer: Answer) -> str:
    accumulated = ""
    for _, data in sse_events(ok(answer)):
        message = json_object(data)
        blocks = message.get("blocks", [])
        if not isinstance(blocks, list):
            raise Unreadable("Malformed SSE blocks")
        text = None
        for block in blocks:
            if not isinstance(block, dict):
                raise Unreadable("Malformed block")
            if block.get("intended_usage") == "ask_text":
                text = _cli_block_text(block)
                if text is not None:
                    break
        if not text or text == accumulated:
            continue
        if not text.startswith(accumulated):
            raise Unreadable("snapshot is not a prefix extension")
        accumulated = text
    if not accumulated:
        raise Unreadable("no answer text")
    return accumulated


def foxroute(answer: Answer) -> str:
    grown = Accumulated()
    for event in foxroute_events(ok(answer)):
        whole = ""
        for block in event.get("blocks") or []:
            candidate = (block.get("markdown_block") or {}).get("answer")
            if isinstance(candidate, str) and candidate.strip():
                whole = candidate
                break
        else:
            for key in ("answer", "text"):
                value = event.get(key)
                if isinstance(value, str) and value.strip():
                    whole = value
                    break
        grown.feed(whole)
    if not grown.out:
        raise Unreadable("empty answer")
    return grown.out
