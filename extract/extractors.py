"""Pull every piece of prompt text out of an AI service's request body.

Pure functions without mitmproxy: the guard passes (family, method, path, body) in and
scans the returned TextParts. Everything a caller puts in front of the model counts —
system prompts, prior assistant turns, tool calls and tool results, inline files —
because pasted personal data travels in all of them.

One extractor per wire format, chosen by the catalog's extractor id (the family) and
the request path: the provider APIs (OpenAI-compatible incl. Azure and Ollama,
Anthropic, Gemini) live here, the web apps (ChatGPT, Claude, Gemini, Perplexity,
DeepSeek, Le Chat, Poe, HuggingChat) in web_extractors. Every other body to an AI host
gets the generic one: JSON string leaves, form fields, multipart text parts and file
names, or the whole text body.

Locations (TextPart.location, Prompt.unscanned):
- JSON bodies of dedicated extractors: the exact JSON path from the root, keys joined by
  ".", array indexes in brackets, e.g. "messages[1].content[0].text"; a key that is not
  an identifier is written quoted in brackets, e.g. '["0"].json.content'.
- Inline files (base64 data URLs, inline_data, document sources): the location of the
  field holding the encoded file, e.g. "input[0].content[1].file_data"; the TextPart
  holds the decoded text, which is not a substring of that field.
- Generic JSON: "$" plus the path; keys that are not identifiers are located by their
  position among the object's keys, "[#2]", so no caller data lands in the log.
- Generic form and multipart: "form.<field>" / "multipart.<name>" (or "[#<index>]"),
  ".filename" and ".content" for file parts, "body" for a whole text body.
- Web extractors with non-JSON bodies: "form:<field>" for a form field, then the JSON
  path inside it; "multipart:<name>[<k>]" for the k-th part named <name>; "→" enters a
  JSON document held in a string, e.g. "form:f.req[1]→[0][0]" (the JSON string at
  [1] of the f.req field, then [0][0] inside it) or "multipart:data[0]→inputs".
"""

import base64
import binascii
import codecs
import email.parser
import email.policy
import json
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from email.message import EmailMessage, Message
from email.utils import collapse_rfc2231_value
from functools import lru_cache
from typing import Any, Literal
from urllib.parse import unquote, unquote_plus

from extract.file_text import file_text

Api = Literal[
    # provider APIs
    "openai_chat",
    "openai_responses",
    "openai_completions",
    "openai_embeddings",
    "ollama_chat",
    "ollama_generate",
    "anthropic_messages",
    "gemini_generate",
    # web apps (web_extractors)
    "chatgpt_web",
    "claude_web",
    "gemini_web",
    "perplexity_web",
    "deepseek_web",
    "lechat_web",
    "poe_graphql",
    "huggingchat",
    # anything else
    "generic",
]


@dataclass(frozen=True)
class TextPart:
    location: str  # JSON-path-like origin, e.g. "messages[1].content[0].text"
    text: str


@dataclass(frozen=True)
class Unscanned:
    """Inline content that reaches the model without being scanned (an image, a binary
    file without extractable text): its location only, never its content."""

    location: str


@dataclass(frozen=True)
class Prompt:
    api: Api
    parts: tuple[TextPart, ...]
    stream: bool
    model: str | None
    # Locations of inline content sent along but not scanned: images, and files whose
    # text could not be read (unsupported type, too large, broken). References to content
    # stored elsewhere (file ids, URLs, asset pointers) are not listed: no data of theirs
    # travels in the request.
    unscanned: tuple[str, ...] = ()


class ExtractError(ValueError):
    """Body is not what the endpoint expects (bad JSON, wrong types).

    The message says what is wrong and where, never echoes body content.
    """


Found = TextPart | Unscanned

# Routes per family: a regex searched against the normalized path (so that a proxy
# prefix such as /api/openai/v1/... still matches), tried in order. Ollama's native API
# is accepted on OpenAI-compatible hosts as well (self-hosted gateways serve both).
_DEPLOYMENT = r"/openai/deployments/[^/]+"  # Azure OpenAI
_OPENAI_ROUTES: tuple[tuple[str, Api], ...] = (
    (rf"(?:/v1|{_DEPLOYMENT})/chat/completions$", "openai_chat"),
    (r"(?:/v1|/openai)/responses$", "openai_responses"),
    (rf"(?:/v1|{_DEPLOYMENT})/completions$", "openai_completions"),
    (rf"(?:/v1|{_DEPLOYMENT})/embeddings$", "openai_embeddings"),
    (r"/api/chat$", "ollama_chat"),
    (r"/api/generate$", "ollama_generate"),
)
_GEMINI_MODEL = r"/(?:models|tunedModels)/[^/:]+:(?:generateContent|streamGenerateContent)$"
_ROUTES: dict[str, tuple[tuple[str, Api], ...]] = {
    "openai": _OPENAI_ROUTES,
    "ollama": _OPENAI_ROUTES,
    "anthropic": ((r"/v1/messages$", "anthropic_messages"),),
    "gemini": (
        # Gemini API (/v1beta/models/m:…) and Vertex AI (…/publishers/google/models/m:…)
        (_GEMINI_MODEL, "gemini_generate"),
        (r"/openai/chat/completions$", "openai_chat"),  # Gemini's OpenAI compatibility
    ),
    "chatgpt-web": ((r"^/backend-(?:api|anon)(?:/f)?/conversation$", "chatgpt_web"),),
    "claude-web": (
        (
            r"^/api/organizations/[^/]+/chat_conversations/[^/]+/(?:retry_)?completion$",
            "claude_web",
        ),
        # Uploads (/api/<org>/upload, /api/organizations/<org>/upload) are multipart:
        # the generic extractor reads their text and file contents.
    ),
    "gemini-web": ((r"/assistant\.lamda\.BardFrontendService/StreamGenerate$", "gemini_web"),),
    "perplexity-web": ((r"^/rest/sse/perplexity_ask$", "perplexity_web"),),
    "deepseek-web": ((r"^/api/v0/chat/completion$", "deepseek_web"),),
    "lechat-web": ((r"^/api/trpc/[^/]+$", "lechat_web"),),
    "poe-graphql": ((r"^/api/gql_POST$", "poe_graphql"),),
    "huggingchat": ((r"^(?:/chat)?/conversation/[^/]+$", "huggingchat"),),
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
        for pattern, api in _ROUTES.get(family, ()):
            if re.search(pattern, route):
                return api
    # Every other body to an AI host (batches, token counting, file uploads, families
    # and paths without a dedicated extractor) is read generically, so that nothing
    # reaches an AI service unscanned.
    return "generic"


def _normalize_path(path: str) -> str:
    # Upstreams tolerate %-escapes, doubled and trailing slashes; so must we,
    # or "/v1//messages/" would slip past unscanned.
    route = path.split("?", 1)[0].split("#", 1)[0]
    route = re.sub(r"/{2,}", "/", unquote(route))
    return route.rstrip("/")


def extract(api: Api, body: bytes, content_type: str | None = None) -> Prompt:
    """Parse a request body and collect its prompt text; raise ExtractError if malformed.

    content_type (the request's Content-Type header) matters for "generic" and the web
    apps with form or multipart bodies; the provider APIs are JSON whatever a client
    declares.
    """
    if api == "generic":
        return _generic(body, content_type)
    walker = _WALKERS.get(api)
    if walker is None:
        from extract.web_extractors import extract_web  # imports this module

        return extract_web(api, body, content_type)
    data = _load_object(body)
    try:
        found = list(walker(data))
    except RecursionError:
        # Backstop only: walkers bound their depth, json.dumps of tool input may not.
        raise ExtractError("request body is nested too deeply") from None
    stream = data.get("stream") is True
    if api in ("ollama_chat", "ollama_generate"):
        stream = data.get("stream") is not False  # Ollama streams unless told not to
    return prompt_of(api, found, stream=stream, model=_model(data))


def prompt_of(api: Api, found: Sequence[Found], *, stream: bool, model: str | None) -> Prompt:
    """A Prompt from what a walker found: text parts and unscanned locations."""
    parts = tuple(f for f in found if isinstance(f, TextPart))
    unscanned = tuple(f.location for f in found if isinstance(f, Unscanned))
    return Prompt(api=api, parts=parts, stream=stream, model=model, unscanned=unscanned)


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


def _text_or_parts(value: object, where: str) -> Iterator[Found]:
    """OpenAI content: a string, an array of typed parts, or null."""
    if value is None:
        return
    value = _as_text_or_list(value, where)
    if isinstance(value, str):
        yield from _text(value, where)
        return
    for index, part in enumerate(value):
        yield from _openai_part(part, f"{where}[{index}]")


def _openai_part(part: object, where: str) -> Iterator[Found]:
    # Read "text" whatever the type (text, input_text, output_text, summary_text, ...),
    # so new text part types are scanned too.
    obj = _as_object(part, where)
    yield from _str_field(obj, "text", where)
    yield from _str_field(obj, "refusal", where)
    yield from _str_field(obj, "filename", where)  # responses input_file
    yield from _data_url_field(obj, "file_data", where, obj.get("filename"))
    yield from _str_field(obj, "stdout", where)  # responses shell_call_output
    yield from _str_field(obj, "stderr", where)
    file = obj.get("file")
    if isinstance(file, dict):  # chat "file" part
        yield from _str_field(file, "filename", f"{where}.file")
        yield from _data_url_field(file, "file_data", f"{where}.file", file.get("filename"))
    image = obj.get("image_url")  # chat: {"url": …}; responses input_image: the URL itself
    if isinstance(image, dict):
        yield from _inline_image(image.get("url"), f"{where}.image_url.url")
    else:
        yield from _inline_image(image, f"{where}.image_url")
    audio = obj.get("input_audio")
    if isinstance(audio, dict) and isinstance(audio.get("data"), str) and audio["data"]:
        yield Unscanned(f"{where}.input_audio.data")


def _inline_image(url: object, where: str) -> Iterator[Found]:
    # Only inline images (data URLs) travel in the request; http(s) URLs are references.
    if isinstance(url, str) and url[:5].lower() == "data:":
        yield Unscanned(where)


def _data_url_field(obj: dict[str, Any], key: str, where: str, filename: object) -> Iterator[Found]:
    """An inline file as a data URL ("data:application/pdf;base64,…") or bare base64."""
    value = obj.get(key)
    location = f"{where}.{key}"
    if value is None or value == "":
        return
    if not isinstance(value, str):
        raise ExtractError(f"{location}: expected a string, got {_kind(value)}")
    media: str | None = None
    payload = value
    if value[:5].lower() == "data:":
        header, comma, payload = value[5:].partition(",")
        if not comma or not header.lower().endswith(";base64"):
            raise ExtractError(f"{location}: expected a base64 data URL")
        media = header[: -len(";base64")].split(";", 1)[0].strip().lower() or None
    name = filename if isinstance(filename, str) else None
    yield from inline_file(payload, name, media, location)


def decode_base64(value: str) -> bytes | None:
    """Standard or URL-safe base64 (Gemini accepts both), padding optional; None if neither."""
    text = "".join(value.split())
    text += "=" * (-len(text) % 4)
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        pass
    try:
        return base64.b64decode(text, altchars=b"-_", validate=True)
    except (binascii.Error, ValueError):
        return None


def inline_file(
    encoded: str, filename: str | None, media: str | None, where: str
) -> Iterator[Found]:
    """A base64 file: its text, or its location as unscanned (also when undecodable)."""
    data = decode_base64(encoded)
    if data is None:
        yield Unscanned(where)
    else:
        yield from file_content(data, filename, media, where)


# Bytes of an inline file, and characters of its text, that are read at most (the
# guard's body size limit applies first); longer files are scanned in part and reported
# unscanned as well.
FILE_TEXT_LIMIT = 32 * 1024 * 1024


def file_content(
    data: bytes, filename: str | None, media: str | None, where: str
) -> Iterator[Found]:
    """The text of an inline file (text, PDF, Office), else its location as unscanned.

    file_text tells the type from the bytes first; images, scans, unsupported and broken
    files have no text. A file read only in part (too large) yields both.
    """
    if not data:
        return
    if (media or "").lower().startswith("image/"):  # declared an image: no OCR here
        yield Unscanned(where)
        return
    result = file_text(data, filename, media, FILE_TEXT_LIMIT)
    if result.text is not None and result.text.strip():
        yield TextPart(where, result.text)
    if result.status != "scanned":
        yield Unscanned(where)


# --- OpenAI chat completions ---------------------------------------------------


def _openai_chat(data: dict[str, Any]) -> Iterator[Found]:
    for index, message in enumerate(_required_list(data, "messages")):
        yield from _chat_message(message, f"messages[{index}]")
    prediction = data.get("prediction")
    if prediction is not None:
        pred = _as_object(prediction, "prediction")
        yield from _text_or_parts(pred.get("content"), "prediction.content")


def _chat_message(message: object, where: str) -> Iterator[Found]:
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


def _openai_responses(data: dict[str, Any]) -> Iterator[Found]:
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


def _responses_item(item: object, where: str) -> Iterator[Found]:
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


def _anthropic_messages(data: dict[str, Any]) -> Iterator[Found]:
    yield from _blocks(data.get("system"), "system", depth=0)
    for index, message in enumerate(_required_list(data, "messages")):
        where = f"messages[{index}]"
        msg = _as_object(message, where)
        yield from _blocks(msg.get("content"), f"{where}.content", depth=0)


def _blocks(value: object, where: str, *, depth: int) -> Iterator[Found]:
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


def _block(block: dict[str, Any], where: str, depth: int) -> Iterator[Found]:
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
    elif kind == "image":
        yield from _anthropic_source(block, where, None)
    else:  # text, and any future block that carries text
        yield from _str_field(block, "text", where)


def _document(block: dict[str, Any], where: str, depth: int) -> Iterator[Found]:
    yield from _str_field(block, "title", where)
    yield from _str_field(block, "context", where)
    source = block.get("source")
    if source is None:
        return
    src = _as_object(source, f"{where}.source")
    if src.get("type") == "text":
        yield from _str_field(src, "data", f"{where}.source")
    elif src.get("type") == "content":
        yield from _blocks(src.get("content"), f"{where}.source.content", depth=depth + 1)
    else:
        title = block.get("title")
        yield from _anthropic_source(block, where, title if isinstance(title, str) else None)


def _anthropic_source(block: dict[str, Any], where: str, filename: str | None) -> Iterator[Found]:
    """An image or document source: base64 is inline content; url and file are references."""
    source = block.get("source")
    if source is None:
        return
    src = _as_object(source, f"{where}.source")
    if src.get("type") != "base64":
        return
    location = f"{where}.source.data"
    data, media = src.get("data"), src.get("media_type")
    if not isinstance(data, str):
        raise ExtractError(f"{location}: expected a string, got {_kind(data)}")
    if media is not None and not isinstance(media, str):
        raise ExtractError(f"{where}.source.media_type: expected a string, got {_kind(media)}")
    yield from inline_file(data, filename, media, location)


def _json_value(value: object, where: str) -> Iterator[Found]:
    if value in (None, {}, []):
        return
    # ensure_ascii=False keeps "Müller" scannable instead of "M\u00fcller".
    yield from _text(json.dumps(value, ensure_ascii=False), where)


# --- OpenAI legacy completions and embeddings, Ollama ----------------------------------


def _openai_completions(data: dict[str, Any]) -> Iterator[Found]:
    # prompt: a string, an array of strings, or token arrays (no text to scan).
    yield from _strings(data.get("prompt"), "prompt")
    yield from _str_field(data, "suffix", "")


def _openai_embeddings(data: dict[str, Any]) -> Iterator[Found]:
    # Also Ollama's /api/embed: input is a string or an array of strings (or tokens).
    yield from _strings(data.get("input"), "input")


def _strings(value: object, where: str) -> Iterator[Found]:
    """A string or an array of strings; token ids (numbers, arrays of numbers) carry none."""
    if value is None:
        return
    value = _as_text_or_list(value, where)
    if isinstance(value, str):
        yield from _text(value, where)
        return
    for index, item in enumerate(value):
        location = f"{where}[{index}]"
        if isinstance(item, str):
            yield from _text(item, location)
        elif isinstance(item, list | int) and not isinstance(item, bool):
            continue  # tokens
        else:
            raise ExtractError(f"{location}: expected a string or tokens, got {_kind(item)}")


def _ollama_chat(data: dict[str, Any]) -> Iterator[Found]:
    for index, message in enumerate(_required_list(data, "messages")):
        where = f"messages[{index}]"
        msg = _as_object(message, where)
        yield from _str_field(msg, "content", where)
        yield from _str_field(msg, "thinking", where)
        yield from _ollama_images(msg, where)
        tool_calls = msg.get("tool_calls")
        if tool_calls is not None:
            for number, call in enumerate(_as_list(tool_calls, f"{where}.tool_calls")):
                at = f"{where}.tool_calls[{number}]"
                function = _as_object(call, at).get("function")
                if function is not None:
                    arguments = _as_object(function, f"{at}.function").get("arguments")
                    yield from _json_value(arguments, f"{at}.function.arguments")


def _ollama_generate(data: dict[str, Any]) -> Iterator[Found]:
    yield from _str_field(data, "system", "")
    yield from _str_field(data, "prompt", "")
    yield from _str_field(data, "suffix", "")
    yield from _str_field(data, "template", "")
    yield from _ollama_images(data, "")


def _ollama_images(obj: dict[str, Any], where: str) -> Iterator[Found]:
    images = obj.get("images")
    location = f"{where}.images" if where else "images"
    if images is None:
        return
    for index, image in enumerate(_as_list(images, location)):
        if isinstance(image, str) and image:
            yield Unscanned(f"{location}[{index}]")


# --- Gemini API (generateContent, streamGenerateContent; also Vertex AI) ----------------
# Protobuf JSON: the REST API accepts camelCase and snake_case field names alike.


def _either(obj: dict[str, Any], camel: str, snake: str) -> tuple[str, object]:
    return (camel, obj[camel]) if camel in obj else (snake, obj.get(snake))


def _gemini_generate(data: dict[str, Any]) -> Iterator[Found]:
    key, system = _either(data, "systemInstruction", "system_instruction")
    if system is not None:
        yield from _gemini_content(system, key)
    contents = data.get("contents")
    if contents is None:  # cached content may stand in
        return
    for index, content in enumerate(_as_list(contents, "contents")):
        yield from _gemini_content(content, f"contents[{index}]")


def _gemini_content(value: object, where: str) -> Iterator[Found]:
    if isinstance(value, str):  # the SDKs accept a bare string for systemInstruction
        yield from _text(value, where)
        return
    content = _as_object(value, where)
    parts = content.get("parts")
    if parts is None:
        return
    for index, part in enumerate(_as_list(parts, f"{where}.parts")):
        yield from _gemini_part(
            _as_object(part, f"{where}.parts[{index}]"), f"{where}.parts[{index}]"
        )


def _gemini_part(part: dict[str, Any], where: str) -> Iterator[Found]:
    yield from _str_field(part, "text", where)
    key, inline = _either(part, "inlineData", "inline_data")
    if inline is not None:
        blob = _as_object(inline, f"{where}.{key}")
        mime_key, media = _either(blob, "mimeType", "mime_type")
        if media is not None and not isinstance(media, str):
            raise ExtractError(f"{where}.{key}.{mime_key}: expected a string, got {_kind(media)}")
        raw = blob.get("data")
        if raw is not None:
            if not isinstance(raw, str):
                raise ExtractError(f"{where}.{key}.data: expected a string, got {_kind(raw)}")
            location = f"{where}.{key}.data"
            name = blob.get("displayName")
            filename = name if isinstance(name, str) else None
            yield from inline_file(raw, filename, media, location)
    key, call = _either(part, "functionCall", "function_call")
    if isinstance(call, dict):
        yield from _json_value(call.get("args"), f"{where}.{key}.args")
    key, response = _either(part, "functionResponse", "function_response")
    if isinstance(response, dict):
        yield from _json_value(response.get("response"), f"{where}.{key}.response")
    key, code = _either(part, "executableCode", "executable_code")
    if isinstance(code, dict):
        yield from _str_field(code, "code", f"{where}.{key}")
    key, result = _either(part, "codeExecutionResult", "code_execution_result")
    if isinstance(result, dict):
        yield from _str_field(result, "output", f"{where}.{key}")


_WALKERS: dict[str, Callable[[dict[str, Any]], Iterator[Found]]] = {
    "openai_chat": _openai_chat,
    "openai_responses": _openai_responses,
    "openai_completions": _openai_completions,
    "openai_embeddings": _openai_embeddings,
    "ollama_chat": _ollama_chat,
    "ollama_generate": _ollama_generate,
    "anthropic_messages": _anthropic_messages,
    "gemini_generate": _gemini_generate,
}


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
    parts: Sequence[Found]
    if not body:
        parts = []
    elif media.startswith("multipart/"):
        parts = _multipart(body, content_type or "")
    elif media == "application/x-www-form-urlencoded":
        parts = _form(body, charset or "utf-8")
    elif "json" in media and not media.endswith(_JSON_LINES):
        data = _load_json(body)
        parts, model = _json_leaves(data), _generic_model(data)
    else:
        parts, model = _text_body(body, media, charset)
    return prompt_of("generic", parts, stream=False, model=model)


def _media_type(content_type: str | None) -> tuple[str, str | None]:
    """("type/subtype" lower-cased or "", usable charset or None) of a Content-Type."""
    if not content_type:
        return "", None
    header = Message()
    header["content-type"] = content_type
    media = content_type.split(";", 1)[0].strip().lower()
    try:
        charset = header.get_content_charset()
    except ValueError:  # UnicodeError: non-UTF-8 bytes (surrogate escapes) in the parameters
        charset = None
    return media, _codec(charset)


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
    return json_leaves(data, "$", segment=_name_segment)


def path_segment(key: str, index: int) -> str:
    """A key as an exact path step: .name, ["0"] for batch indexes, else [#position]."""
    if _NAME.fullmatch(key):
        return f".{key}"
    return f'["{key}"]' if key.isascii() and key.isdigit() and len(key) <= 9 else f"[#{index}]"


def join_path(where: str, step: str) -> str:
    """where + step, without a leading dot at the root or right after "→"."""
    if step.startswith(".") and (not where or where.endswith("→")):
        return where + step[1:]
    return where + step


def json_leaves(
    data: object,
    root: str,
    *,
    segment: Callable[[str, int], str] = path_segment,
    skip_key: Callable[[str], bool] | None = None,
) -> list[TextPart]:
    """Every string leaf below root in document order, with its path from root.

    An empty root gives paths without a leading dot ("json.content"). Keys for which
    skip_key is true are left out with everything below them.
    """
    parts: list[TextPart] = []
    stack: list[tuple[object, str, int]] = [(data, root, 0)]
    while stack:
        value, where, depth = stack.pop()
        if isinstance(value, str):
            if _worth_scanning(value):
                parts.append(TextPart(where, value))
            continue
        if isinstance(value, dict):
            children = [
                (child, join_path(where, segment(key, index)), depth + 1)
                for index, (key, child) in enumerate(value.items())
                if skip_key is None or not skip_key(key)
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


def _is_document(media: str, data: bytes) -> bool:
    """A PDF, even one that happens to be ASCII: its text is in content streams."""
    return media == "application/pdf" or data.lstrip()[:5] == b"%PDF-"


def _is_textual(media: str) -> bool:
    # Suffixes, not substrings: docx is application/vnd.openxmlformats-officedocument...
    return media.startswith("text/") or media.endswith(("json", "/xml", "+xml", "/javascript"))


def _text_body(body: bytes, media: str, charset: str | None) -> tuple[list[Found], str | None]:
    text = _decode(body, charset)
    if text is None:
        if _is_textual(media):
            raise ExtractError(f"request body is not valid {charset or 'UTF-8'}")
        return list(file_content(body, None, media or None, "body")), None  # pdf, image …
    if ("\x00" in text or _is_document(media, body)) and not _is_textual(media):
        # binary that happens to be valid UTF-8, or an all-ASCII PDF
        return list(file_content(body, None, media or None, "body")), None
    if text.lstrip()[:1] in ("{", "["):
        # fetch() sends JSON as text/plain unless told otherwise: walk it if it parses,
        # else it is text after all and is scanned whole.
        try:
            data = _parse_json(text)
            return list(_json_leaves(data)), _generic_model(data)
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


def parse_multipart(body: bytes, content_type: str) -> EmailMessage:
    """A multipart body as an email Message; ExtractError on any defect."""
    if "\r" in content_type or "\n" in content_type:
        raise ExtractError("multipart content type is malformed")
    header = b"Content-Type: " + content_type.encode("utf-8", errors="replace") + b"\r\n\r\n"
    try:
        message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(header + body)
    except RecursionError:
        raise ExtractError("multipart body is nested too deeply") from None
    if not message.is_multipart() or message.defects:
        problems = ", ".join(type(d).__name__ for d in message.defects) or "no parts"
        raise ExtractError(f"multipart body is malformed: {problems}")
    return message


def _multipart(body: bytes, content_type: str) -> list[Found]:
    """multipart/form-data (and other multipart types): text parts, file names, files."""
    message = parse_multipart(body, content_type)
    try:
        parts: list[Found] = []
        for index, part in enumerate(message.iter_parts()):
            base = "multipart" + _name_segment(form_name(part), index)
            leaves = [p for p in part.walk() if not p.is_multipart()]
            for number, leaf in enumerate(leaves):
                where = base if len(leaves) == 1 and leaf is part else f"{base}[{number}]"
                parts.extend(_part(leaf, where))
        return parts
    except RecursionError:
        raise ExtractError("multipart body is nested too deeply") from None


def form_name(part: Message) -> str:
    name = part.get_param("name", header="content-disposition")
    if isinstance(name, tuple):  # RFC 2231 name*=UTF-8''...
        name = collapse_rfc2231_value(name)
    return name if isinstance(name, str) else ""


def _part(part: Message, where: str) -> Iterator[Found]:
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
        # is scanned as it is; pdf, docx, images go to file_text.
        text = None if _is_document(media, data) else _decode(data, None)
        if text is not None and "\x00" in text:
            text = None
    if text is None:
        yield from file_content(data, filename, media, where)
    elif _worth_scanning(text):
        yield TextPart(where, text)
