"""Pull every piece of prompt text out of an OpenAI or Anthropic request body.

Pure functions without mitmproxy: the guard passes (family, method, path, body) in and
scans the returned TextParts. Everything a caller puts in front of the model counts —
system prompts, prior assistant turns, tool calls and tool results — because pasted
personal data travels in all of them.
"""

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import unquote

Api = Literal["openai_chat", "openai_responses", "anthropic_messages"]


@dataclass(frozen=True)
class TextPart:
    location: str  # JSON-path-like origin, e.g. "messages[1].content[0].text"
    text: str


@dataclass(frozen=True)
class Prompt:
    api: Api
    parts: tuple[TextPart, ...]
    stream: bool
    model: str | None


class ExtractError(ValueError):
    """Body is not what the endpoint expects (bad JSON, wrong types).

    The message says what is wrong and where, never echoes body content.
    """


# Path suffixes, so that a proxy prefix such as /openai/v1/... still matches.
_ENDPOINTS: dict[str, dict[str, Api]] = {
    "openai": {"/v1/chat/completions": "openai_chat", "/v1/responses": "openai_responses"},
    "anthropic": {"/v1/messages": "anthropic_messages"},
}

# Content blocks nest (tool_result -> document -> content); real requests need 3 levels.
_MAX_BLOCK_DEPTH = 8


def match_endpoint(family: str, method: str, path: str) -> Api | None:
    """Which prompt-carrying API a request targets, or None if it carries no prompt."""
    if method.upper() != "POST":
        return None
    route = _normalize_path(path)
    for suffix, api in _ENDPOINTS.get(family, {}).items():
        if route.endswith(suffix):
            return api
    return None


def _normalize_path(path: str) -> str:
    # Upstreams tolerate %-escapes, doubled and trailing slashes; so must we,
    # or "/v1//messages/" would slip past unscanned.
    route = path.split("?", 1)[0].split("#", 1)[0]
    route = re.sub(r"/{2,}", "/", unquote(route))
    return route.rstrip("/")


def extract(api: Api, body: bytes) -> Prompt:
    """Parse a request body and collect its prompt text; raise ExtractError if malformed."""
    data = _load_object(body)
    walkers = {
        "openai_chat": _openai_chat,
        "openai_responses": _openai_responses,
        "anthropic_messages": _anthropic_messages,
    }
    try:
        parts = tuple(walkers[api](data))
    except RecursionError:
        # Backstop only: walkers bound their depth, json.dumps of tool input may not.
        raise ExtractError("request body is nested too deeply") from None
    return Prompt(api=api, parts=parts, stream=data.get("stream") is True, model=_model(data))


# --- decoding -----------------------------------------------------------------


def _load_object(body: bytes) -> dict[str, Any]:
    if not body:
        raise ExtractError("request body is empty")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise ExtractError("request body is not valid UTF-8") from None
    try:
        data = json.loads(text, object_pairs_hook=_reject_duplicate_keys)
    except json.JSONDecodeError as exc:
        raise ExtractError(f"request body is not JSON: {exc.msg} (offset {exc.pos})") from None
    except RecursionError:
        raise ExtractError("request body is nested too deeply") from None
    except ValueError as exc:  # duplicate keys, integers beyond the int-string digit limit
        raise ExtractError(f"request body is not acceptable JSON: {_safe_reason(exc)}") from None
    if not isinstance(data, dict):
        raise ExtractError(f"request body must be a JSON object, not {_kind(data)}")
    return data


class _DuplicateKeyError(ValueError):
    pass


def _reject_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # Parsers disagree on which duplicate wins; the scanner must see what upstream sees.
    obj = dict(pairs)
    if len(obj) != len(pairs):
        raise _DuplicateKeyError("duplicate key in a JSON object")
    return obj


def _safe_reason(exc: ValueError) -> str:
    if isinstance(exc, _DuplicateKeyError):
        return str(exc)
    return "number too large"


def _model(data: dict[str, Any]) -> str | None:
    model = data.get("model")
    if model is not None and not isinstance(model, str):
        raise ExtractError(f"model: expected a string, got {_kind(model)}")
    return model


# --- type checks that name the location, never the value -----------------------


def _kind(value: object) -> str:
    names = {dict: "object", list: "array", str: "string", bool: "boolean", type(None): "null"}
    return names.get(type(value), "number")


def _as_object(value: object, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ExtractError(f"{where}: expected an object, got {_kind(value)}")
    return value


def _as_list(value: object, where: str) -> list[Any]:
    if not isinstance(value, list):
        raise ExtractError(f"{where}: expected an array, got {_kind(value)}")
    return value


def _as_text_or_list(value: object, where: str) -> str | list[Any]:
    if not isinstance(value, str | list):
        raise ExtractError(f"{where}: expected a string or an array, got {_kind(value)}")
    return value


def _required_list(data: dict[str, Any], key: str) -> list[Any]:
    if key not in data:
        raise ExtractError(f"{key}: required field is missing")
    return _as_list(data[key], key)


def _text(value: str, where: str) -> Iterator[TextPart]:
    if value.strip():
        yield TextPart(where, value)


def _str_field(obj: dict[str, Any], key: str, where: str) -> Iterator[TextPart]:
    """Yield obj[key] if it is a non-empty string; absent or null is fine."""
    value = obj.get(key)
    location = f"{where}.{key}" if where else key
    if value is None:
        return
    if not isinstance(value, str):
        raise ExtractError(f"{location}: expected a string, got {_kind(value)}")
    yield from _text(value, location)


def _text_or_parts(value: object, where: str) -> Iterator[TextPart]:
    """OpenAI content: a string, an array of typed parts, or null."""
    if value is None:
        return
    value = _as_text_or_list(value, where)
    if isinstance(value, str):
        yield from _text(value, where)
        return
    for index, part in enumerate(value):
        yield from _openai_part(part, f"{where}[{index}]")


def _openai_part(part: object, where: str) -> Iterator[TextPart]:
    # Read "text" whatever the type (text, input_text, output_text, summary_text, ...),
    # so new text part types are scanned too; image and audio parts carry none.
    obj = _as_object(part, where)
    yield from _str_field(obj, "text", where)
    yield from _str_field(obj, "refusal", where)
    yield from _str_field(obj, "filename", where)  # responses input_file
    yield from _str_field(obj, "stdout", where)  # responses shell_call_output
    yield from _str_field(obj, "stderr", where)
    file = obj.get("file")
    if isinstance(file, dict):  # chat "file" part
        yield from _str_field(file, "filename", f"{where}.file")


# --- OpenAI chat completions ---------------------------------------------------


def _openai_chat(data: dict[str, Any]) -> Iterator[TextPart]:
    for index, message in enumerate(_required_list(data, "messages")):
        yield from _chat_message(message, f"messages[{index}]")
    prediction = data.get("prediction")
    if prediction is not None:
        pred = _as_object(prediction, "prediction")
        yield from _text_or_parts(pred.get("content"), "prediction.content")


def _chat_message(message: object, where: str) -> Iterator[TextPart]:
    msg = _as_object(message, where)
    yield from _text_or_parts(msg.get("content"), f"{where}.content")
    yield from _str_field(msg, "name", where)
    yield from _str_field(msg, "refusal", where)
    tool_calls = msg.get("tool_calls")
    if tool_calls is not None:
        for index, call in enumerate(_as_list(tool_calls, f"{where}.tool_calls")):
            yield from _chat_tool_call(call, f"{where}.tool_calls[{index}]")
    yield from _nested_str(msg, "function_call", "arguments", where)  # legacy single call


def _chat_tool_call(call: object, where: str) -> Iterator[TextPart]:
    obj = _as_object(call, where)
    yield from _nested_str(obj, "function", "arguments", where)
    yield from _nested_str(obj, "custom", "input", where)  # custom tool calls


def _nested_str(obj: dict[str, Any], key: str, field: str, where: str) -> Iterator[TextPart]:
    """Yield obj[key][field], e.g. a tool call's function.arguments, if present."""
    if obj.get(key) is not None:
        yield from _str_field(_as_object(obj[key], f"{where}.{key}"), field, f"{where}.{key}")


# --- OpenAI responses ----------------------------------------------------------


def _openai_responses(data: dict[str, Any]) -> Iterator[TextPart]:
    yield from _str_field(data, "instructions", "")
    value = data.get("input")  # optional: previous_response_id or prompt may stand in
    if value is not None:
        value = _as_text_or_list(value, "input")
    if isinstance(value, str):
        yield from _text(value, "input")
    elif value is not None:
        for index, item in enumerate(value):
            yield from _responses_item(item, f"input[{index}]")
    yield from _prompt_variables(data.get("prompt"))


def _responses_item(item: object, where: str) -> Iterator[TextPart]:
    # Field-driven rather than type-driven: messages, function/custom/MCP/shell calls,
    # their outputs and reasoning items share these few text-bearing fields.
    obj = _as_object(item, where)
    yield from _text_or_parts(obj.get("content"), f"{where}.content")
    arguments = obj.get("arguments")  # a JSON string, an object for tool_search_call
    if isinstance(arguments, str):
        yield from _text(arguments, f"{where}.arguments")
    else:
        yield from _json_value(arguments, f"{where}.arguments")
    if isinstance(obj.get("input"), str):  # custom_tool_call
        yield from _str_field(obj, "input", where)
    output = obj.get("output")
    if isinstance(output, str | list):  # computer_call_output carries an image object
        yield from _text_or_parts(output, f"{where}.output")
    summary = obj.get("summary")
    if summary is not None:
        yield from _text_or_parts(_as_list(summary, f"{where}.summary"), f"{where}.summary")
    yield from _str_field(obj, "reason", where)  # mcp_approval_response


def _prompt_variables(prompt: object) -> Iterator[TextPart]:
    # Reusable prompt templates: variables are strings or input_text parts. Lenient, and
    # located by position, so neither errors nor stored locations carry a caller's key.
    if not isinstance(prompt, dict) or not isinstance(prompt.get("variables"), dict):
        return
    for index, value in enumerate(prompt["variables"].values()):
        where = f"prompt.variables[{index}]"
        if isinstance(value, str):
            yield from _text(value, where)
        elif isinstance(value, dict) and isinstance(value.get("text"), str):
            yield from _text(value["text"], f"{where}.text")


# --- Anthropic messages ---------------------------------------------------------


def _anthropic_messages(data: dict[str, Any]) -> Iterator[TextPart]:
    yield from _blocks(data.get("system"), "system", depth=0)
    for index, message in enumerate(_required_list(data, "messages")):
        where = f"messages[{index}]"
        msg = _as_object(message, where)
        yield from _blocks(msg.get("content"), f"{where}.content", depth=0)


def _blocks(value: object, where: str, *, depth: int) -> Iterator[TextPart]:
    """Anthropic content: a string, an array of typed blocks, or null."""
    if value is None:
        return
    value = _as_text_or_list(value, where)
    if isinstance(value, str):
        yield from _text(value, where)
        return
    if depth >= _MAX_BLOCK_DEPTH:
        raise ExtractError(f"{where}: content blocks are nested too deeply")
    for index, block in enumerate(value):
        yield from _block(_as_object(block, f"{where}[{index}]"), f"{where}[{index}]", depth)


def _block(block: dict[str, Any], where: str, depth: int) -> Iterator[TextPart]:
    kind = block.get("type")
    if kind in ("tool_use", "server_tool_use", "mcp_tool_use"):
        yield from _json_value(block.get("input"), f"{where}.input")
    elif kind in ("tool_result", "mcp_tool_result"):
        yield from _blocks(block.get("content"), f"{where}.content", depth=depth + 1)
    elif kind == "document":
        yield from _document(block, where, depth)
    elif kind == "search_result":
        yield from _str_field(block, "title", where)
        yield from _blocks(block.get("content"), f"{where}.content", depth=depth + 1)
    elif kind == "thinking":  # a prior turn's reasoning can quote the user's data
        yield from _str_field(block, "thinking", where)
    else:  # text, and any future block that carries text
        yield from _str_field(block, "text", where)


def _document(block: dict[str, Any], where: str, depth: int) -> Iterator[TextPart]:
    yield from _str_field(block, "title", where)
    yield from _str_field(block, "context", where)
    source = block.get("source")
    if source is None:
        return
    src = _as_object(source, f"{where}.source")
    if src.get("type") == "text":  # base64 PDFs and URLs are out of reach here
        yield from _str_field(src, "data", f"{where}.source")
    elif src.get("type") == "content":
        yield from _blocks(src.get("content"), f"{where}.source.content", depth=depth + 1)


def _json_value(value: object, where: str) -> Iterator[TextPart]:
    if value in (None, {}, []):
        return
    # ensure_ascii=False keeps "Müller" scannable instead of "M\u00fcller".
    yield from _text(json.dumps(value, ensure_ascii=False), where)
