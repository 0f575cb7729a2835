"""Pull every piece of prompt text out of an AI service's request body.

Pure functions without mitmproxy: the guard passes (family, method, path, body) in and
scans the returned TextParts. Everything a caller puts in front of the model counts —
system prompts, prior assistant turns, tool calls and tool results — because pasted
personal data travels in all of them.

The OpenAI and Anthropic APIs get dedicated extractors. Every other service (web apps
such as ChatGPT, DeepL, Copilot) gets the generic one: JSON string leaves, form fields,
multipart text parts and file names, or the whole text body. So do the API paths
without a dedicated extractor (embeddings, batches, token counting, uploads).
"""

import codecs
import email.parser
import email.policy
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import Message
from email.utils import collapse_rfc2231_value
from functools import lru_cache
from typing import Any, Literal
from urllib.parse import unquote, unquote_plus

Api = Literal["openai_chat", "openai_responses", "anthropic_messages", "generic"]


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


# Methods that carry a body a web app may put a prompt in.
_GENERIC_METHODS = frozenset({"POST", "PUT", "PATCH"})


def match_endpoint(family: str, method: str, path: str) -> Api | None:
    """Which prompt-carrying API a request targets, or None if it carries no prompt."""
    if method.upper() not in _GENERIC_METHODS:
        return None
    if method.upper() == "POST":
        route = _normalize_path(path)
        for suffix, api in _ENDPOINTS.get(family, {}).items():
            if route.endswith(suffix):
                return api
    # Every other body to an AI host (embeddings, batches, token counting, file
    # uploads, wire formats without a dedicated extractor yet) is read generically,
    # so that nothing reaches an AI service unscanned.
    return "generic"


def _normalize_path(path: str) -> str:
    # Upstreams tolerate %-escapes, doubled and trailing slashes; so must we,
    # or "/v1//messages/" would slip past unscanned.
    route = path.split("?", 1)[0].split("#", 1)[0]
    route = re.sub(r"/{2,}", "/", unquote(route))
    return route.rstrip("/")


def extract(api: Api, body: bytes, content_type: str | None = None) -> Prompt:
    """Parse a request body and collect its prompt text; raise ExtractError if malformed.

    content_type (the request's Content-Type header) only matters for "generic"; the
    provider APIs are JSON whatever a client declares.
    """
    if api == "generic":
        return _generic(body, content_type)
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
    data = _load_json(body)
    if not isinstance(data, dict):
        raise ExtractError(f"request body must be a JSON object, not {_kind(data)}")
    return data


def _load_json(body: bytes) -> Any:
    if not body:
        raise ExtractError("request body is empty")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise ExtractError("request body is not valid UTF-8") from None
    return _parse_json(text)


def _parse_json(text: str) -> Any:
    try:
        data = json.loads(text, object_pairs_hook=_reject_duplicate_keys)
    except json.JSONDecodeError as exc:
        raise ExtractError(f"request body is not JSON: {exc.msg} (offset {exc.pos})") from None
    except RecursionError:
        raise ExtractError("request body is nested too deeply") from None
    except ValueError as exc:  # duplicate keys, integers beyond the int-string digit limit
        raise ExtractError(f"request body is not acceptable JSON: {_safe_reason(exc)}") from None
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


# --- generic: any other AI service ----------------------------------------------------
# Locations end up in the findings log, which must never hold a detected value. JSON keys,
# form and part names are caller data in principle (a map keyed by e-mail address, a file
# called "Abmahnung_Max_Mustermann.docx"), so only identifier-like names appear verbatim;
# any other name is located by its position ("[#2]"), and file names never appear at all.

_MAX_JSON_DEPTH = 64
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_-]{0,63}")
_JSON_LINES = ("ndjson", "jsonl", "jsonlines", "json-seq")  # no single document: text
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


def _generic(body: bytes, content_type: str | None) -> Prompt:
    media, charset = _media_type(content_type)
    model: str | None = None
    if not body:
        parts: list[TextPart] = []
    elif media.startswith("multipart/"):
        parts = _multipart(body, content_type or "")
    elif media == "application/x-www-form-urlencoded":
        parts = _form(body, charset or "utf-8")
    elif "json" in media and not media.endswith(_JSON_LINES):
        data = _load_json(body)
        parts, model = _json_leaves(data), _generic_model(data)
    else:
        parts, model = _text_body(body, media, charset)
    return Prompt(api="generic", parts=tuple(parts), stream=False, model=model)


def _media_type(content_type: str | None) -> tuple[str, str | None]:
    """("type/subtype" lower-cased or "", usable charset or None) of a Content-Type."""
    if not content_type:
        return "", None
    header = Message()
    header["content-type"] = content_type
    media = content_type.split(";", 1)[0].strip().lower()
    return media, _codec(header.get_content_charset())


@lru_cache(maxsize=64)
def _codec(charset: str | None) -> str | None:
    """A declared charset's codec if it decodes bytes leniently; else None (read UTF-8)."""
    if not charset:
        return None
    try:
        name = codecs.lookup(charset).name
        b"\xff\xfe\x00ab%".decode(name, "replace")  # rules out rot13, hex, idna and friends
    except (LookupError, ValueError):  # UnicodeError is a ValueError
        return None
    return name


def _worth_scanning(value: str) -> bool:
    # UUIDs (message and conversation ids) and single characters are never prose.
    stripped = value.strip()
    return len(stripped) >= 2 and not _UUID.fullmatch(stripped)


def _name_segment(name: str, index: int) -> str:
    return f".{name}" if _NAME.fullmatch(name) else f"[#{index}]"


def _generic_model(data: object) -> str | None:
    model = data.get("model") if isinstance(data, dict) else None
    return model if isinstance(model, str) else None


def _json_leaves(data: object) -> list[TextPart]:
    """Every string leaf in document order; keys are schema, numbers carry no prose."""
    parts: list[TextPart] = []
    stack: list[tuple[object, str, int]] = [(data, "$", 0)]
    while stack:
        value, where, depth = stack.pop()
        if isinstance(value, str):
            if _worth_scanning(value):
                parts.append(TextPart(where, value))
            continue
        if isinstance(value, dict):
            children = [
                (child, where + _name_segment(key, index), depth + 1)
                for index, (key, child) in enumerate(value.items())
            ]
        elif isinstance(value, list):
            children = [
                (child, f"{where}[{index}]", depth + 1) for index, child in enumerate(value)
            ]
        else:
            continue
        if depth >= _MAX_JSON_DEPTH and children:
            raise ExtractError("request body is nested too deeply")
        stack.extend(reversed(children))
    return parts


def _decode(data: bytes, charset: str | None) -> str | None:
    try:
        return data.decode(charset or "utf-8")
    except ValueError:  # UnicodeDecodeError, or a UnicodeError of an odd codec
        return None


def _is_textual(media: str) -> bool:
    # Suffixes, not substrings: docx is application/vnd.openxmlformats-officedocument...
    return media.startswith("text/") or media.endswith(("json", "/xml", "+xml", "/javascript"))


def _text_body(body: bytes, media: str, charset: str | None) -> tuple[list[TextPart], str | None]:
    text = _decode(body, charset)
    if text is None:
        if _is_textual(media):
            raise ExtractError(f"request body is not valid {charset or 'UTF-8'}")
        return [], None  # images, octet-stream: binary extraction is a later step
    if "\x00" in text and not _is_textual(media):
        return [], None  # binary that happens to be valid UTF-8
    if text.lstrip()[:1] in ("{", "["):
        # fetch() sends JSON as text/plain unless told otherwise: walk it if it parses,
        # else it is text after all and is scanned whole.
        try:
            data = _parse_json(text)
            return _json_leaves(data), _generic_model(data)
        except ExtractError:
            pass
    return ([TextPart("body", text)] if _worth_scanning(text) else []), None


def _form(body: bytes, charset: str) -> list[TextPart]:
    """application/x-www-form-urlencoded: every field value, URL-decoded."""
    text = _decode(body, charset)  # percent-encoded ASCII, but raw bytes occur
    if text is None:
        raise ExtractError(f"form body is not valid {charset}")
    parts: list[TextPart] = []
    for index, field in enumerate(text.split("&")):
        raw_name, eq, raw_value = field.partition("=")
        name = unquote_plus(raw_name, encoding=charset, errors="replace")
        value = unquote_plus(raw_value, encoding=charset, errors="replace")
        if not eq:
            # A body that is no form at all (JSON or text posted with the form type)
            # arrives as a single name without a value: that name is the content.
            name, value = "", name
        where = "form" + _name_segment(name, index)
        if _worth_scanning(value):
            parts.append(TextPart(where, value))
    return parts


def _multipart(body: bytes, content_type: str) -> list[TextPart]:
    """multipart/form-data (and other multipart types): text parts, file names, text files."""
    if "\r" in content_type or "\n" in content_type:
        raise ExtractError("multipart content type is malformed")
    header = b"Content-Type: " + content_type.encode("utf-8", errors="replace") + b"\r\n\r\n"
    try:
        message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(header + body)
        if not message.is_multipart() or message.defects:
            problems = ", ".join(type(d).__name__ for d in message.defects) or "no parts"
            raise ExtractError(f"multipart body is malformed: {problems}")
        parts: list[TextPart] = []
        for index, part in enumerate(message.iter_parts()):
            base = "multipart" + _name_segment(_form_name(part), index)
            leaves = [p for p in part.walk() if not p.is_multipart()]
            for number, leaf in enumerate(leaves):
                where = base if len(leaves) == 1 and leaf is part else f"{base}[{number}]"
                parts.extend(_part(leaf, where))
        return parts
    except RecursionError:
        raise ExtractError("multipart body is nested too deeply") from None


def _form_name(part: Message) -> str:
    name = part.get_param("name", header="content-disposition")
    if isinstance(name, tuple):  # RFC 2231 name*=UTF-8''...
        name = collapse_rfc2231_value(name)
    return name if isinstance(name, str) else ""


def _part(part: Message, where: str) -> Iterator[TextPart]:
    filename = part.get_filename()
    data = part.get_payload(decode=True)
    if filename is not None:
        # File names carry names ("Abmahnung_Max_Mustermann.docx"): scanned, never a location.
        if _worth_scanning(filename):
            yield TextPart(f"{where}.filename", filename)
        where = f"{where}.content"
    if not isinstance(data, bytes) or not data:
        return
    media, charset = part.get_content_type(), _codec(part.get_content_charset())
    if _is_textual(media):  # no Content-Type at all defaults to text/plain
        text: str | None = data.decode(charset or "utf-8", errors="replace")
    else:
        # Undeclared text (a .csv sent as application/vnd.ms-excel, a .md as octet-stream)
        # is scanned; pdf, docx, images are binary extraction's job later.
        text = _decode(data, None)
        if text is not None and "\x00" in text:
            text = None
    if text is not None and _worth_scanning(text):
        yield TextPart(where, text)
