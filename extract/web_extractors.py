"""Prompt text out of the request bodies of AI web apps (ChatGPT, Claude, Gemini, ...).

One reader per app, chosen by extractors.match_endpoint from the catalog's extractor id
and the request path; extractors.extract hands every web Api to extract_web. The wire
formats are the apps' private ones and change without notice, so each reader:
- reads the fields known to carry the user's text exactly (with exact JSON paths), and
- where the app wraps its payload in an opaque structure (Gemini's nested f.req arrays,
  Le Chat's tRPC batches, Poe's GraphQL variables), takes every string leaf instead of
  relying on positions, so a reshuffled array still gets scanned.
Wrong types in the known fields raise ExtractError (the guard then scans the raw body);
messages name the location, never the content.

Location formats are described in extractors' module docstring ("form:f.req[1]→[0][0]",
"multipart:data[0]→inputs").
"""

import re
from collections.abc import Callable, Iterator
from email.message import Message
from typing import Any
from urllib.parse import unquote_plus

from extract.extractors import (
    _MAX_JSON_DEPTH,
    Api,
    ExtractError,
    Found,
    Prompt,
    TextPart,
    _as_list,
    _as_object,
    _codec,
    _decode,
    _is_textual,
    _kind,
    _load_object,
    _media_type,
    _model,
    _parse_json,
    _str_field,
    _text,
    _worth_scanning,
    file_content,
    form_name,
    join_path,
    json_leaves,
    parse_multipart,
    path_segment,
    prompt_of,
)

Reader = Callable[[bytes, str | None], Prompt]


def extract_web(api: Api, body: bytes, content_type: str | None) -> Prompt:
    reader = _READERS.get(api)
    if reader is None:
        raise ExtractError(f"no extractor for {api}")
    try:
        return reader(body, content_type)
    except RecursionError:
        raise ExtractError("request body is nested too deeply") from None


def _optional_list(data: dict[str, Any], key: str, where: str) -> list[Any]:
    value = data.get(key)
    return [] if value is None else _as_list(value, join_path(where, f".{key}"))


def _optional_object(data: dict[str, Any], key: str, where: str) -> dict[str, Any]:
    value = data.get(key)
    return {} if value is None else _as_object(value, join_path(where, f".{key}"))


# --- ChatGPT: POST /backend-api/conversation (also /f/conversation, /backend-anon/...) ---


def _chatgpt(body: bytes, content_type: str | None) -> Prompt:
    data = _load_object(body)
    found: list[Found] = []
    for index, message in enumerate(_optional_list(data, "messages", "")):
        found.extend(_chatgpt_message(message, f"messages[{index}]"))
    # The answer always streams (SSE), whatever the body says.
    return prompt_of("chatgpt_web", found, stream=True, model=_model(data))


def _chatgpt_message(message: object, where: str) -> Iterator[Found]:
    msg = _as_object(message, where)
    content = _optional_object(msg, "content", where)
    at = f"{where}.content"
    for index, part in enumerate(_optional_list(content, "parts", at)):
        # "text" and "multimodal_text": strings, and objects such as image asset pointers
        # (references to uploaded files, no text) or audio transcriptions with "text".
        if isinstance(part, str):
            yield from _text(part, f"{at}.parts[{index}]")
        elif isinstance(part, dict):
            yield from _str_field(part, "text", f"{at}.parts[{index}]")
        elif part is not None:
            raise ExtractError(f"{at}.parts[{index}]: expected a string or an object")
    yield from _str_field(content, "text", at)  # content_type "code", "tether_quote", …
    yield from _str_field(content, "user_profile", at)  # "user_editable_context":
    yield from _str_field(content, "user_instructions", at)  # the custom instructions
    metadata = _optional_object(msg, "metadata", where)
    for index, attachment in enumerate(
        _optional_list(metadata, "attachments", f"{where}.metadata")
    ):
        place = f"{where}.metadata.attachments[{index}]"
        yield from _str_field(_as_object(attachment, place), "name", place)


# --- Claude: POST /api/organizations/<org>/chat_conversations/<id>/completion ------------


def _claude(body: bytes, content_type: str | None) -> Prompt:
    data = _load_object(body)
    found: list[Found] = list(_str_field(data, "prompt", ""))
    # Pasted text and text files arrive inline as attachments; "files" lists ids of
    # uploaded files (scanned at upload), which carry no content here.
    for index, attachment in enumerate(_optional_list(data, "attachments", "")):
        where = f"attachments[{index}]"
        obj = _as_object(attachment, where)
        found.extend(_str_field(obj, "file_name", where))
        found.extend(_str_field(obj, "extracted_content", where))
    for index, style in enumerate(_optional_list(data, "personalized_styles", "")):
        where = f"personalized_styles[{index}]"
        found.extend(_str_field(_as_object(style, where), "prompt", where))
    return prompt_of("claude_web", found, stream=True, model=_model(data))


# --- Gemini: POST …/assistant.lamda.BardFrontendService/StreamGenerate -------------------
# application/x-www-form-urlencoded: f.req=[null,"<JSON string>"]&at=<XSRF token>. The
# JSON string is a nested array whose [0][0] is the prompt; positions of everything else
# shift between releases, so every string leaf is taken, JSON strings are entered.

_FORM_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]{0,63}")
# Conversation/response/choice ids, and the "!…" anti-abuse token: no prose.
_GEMINI_ID = re.compile(r"(?:c|r|rc)_[0-9a-f]{6,}|![A-Za-z0-9_-]{20,}")
_MAX_EMBEDDED = 4  # JSON in a string in a string …


def _gemini_web(body: bytes, content_type: str | None) -> Prompt:
    _, charset = _media_type(content_type)
    found: list[Found] = []
    has_request = False
    for index, (name, value) in enumerate(_form_fields(body, charset or "utf-8")):
        if name == "at":  # the XSRF token
            continue
        where = "form:" + (name if _FORM_NAME.fullmatch(name) else f"[#{index}]")
        if name == "f.req":
            has_request = True
            try:
                data = _parse_json(value)
            except ExtractError as exc:
                raise ExtractError(f"form field f.req: {exc}") from None
            found.extend(_embedded_leaves(data, where, depth=0, nesting=0))
        elif _worth_scanning(value):
            found.append(TextPart(where, value))
    if not has_request:
        raise ExtractError("form field f.req is missing")
    return prompt_of("gemini_web", found, stream=True, model=None)


def _form_fields(body: bytes, charset: str) -> list[tuple[str, str]]:
    text = _decode(body, charset)
    if text is None:
        raise ExtractError(f"form body is not valid {charset}")
    fields = []
    for field in text.split("&"):
        if not field:
            continue
        raw_name, _, raw_value = field.partition("=")
        name = unquote_plus(raw_name, encoding=charset, errors="replace")
        fields.append((name, unquote_plus(raw_value, encoding=charset, errors="replace")))
    return fields


def _embedded_leaves(value: object, where: str, *, depth: int, nesting: int) -> Iterator[Found]:
    """String leaves of a JSON value, entering strings that hold JSON (joined by "→")."""
    if depth > _MAX_JSON_DEPTH:
        raise ExtractError("request body is nested too deeply")
    if isinstance(value, str):
        inner = _embedded_json(value) if nesting < _MAX_EMBEDDED else None
        if inner is not None:
            yield from _embedded_leaves(inner, where + "→", depth=depth + 1, nesting=nesting + 1)
        elif _worth_scanning(value) and not _GEMINI_ID.fullmatch(value.strip()):
            yield TextPart(where, value)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _embedded_leaves(item, f"{where}[{index}]", depth=depth + 1, nesting=nesting)
    elif isinstance(value, dict):
        for index, (key, item) in enumerate(value.items()):
            step = join_path(where, path_segment(key, index))
            yield from _embedded_leaves(item, step, depth=depth + 1, nesting=nesting)


def _embedded_json(value: str) -> list[Any] | dict[str, Any] | None:
    if value.lstrip()[:1] not in ("[", "{"):
        return None
    try:
        data = _parse_json(value)
    except ExtractError:
        return None  # brackets in a prompt: text after all
    return data if isinstance(data, list | dict) else None


# --- Perplexity: POST /rest/sse/perplexity_ask --------------------------------------------


def _perplexity(body: bytes, content_type: str | None) -> Prompt:
    data = _load_object(body)
    found: list[Found] = list(_str_field(data, "query_str", ""))
    params = _optional_object(data, "params", "")
    # params.attachments are URLs of files uploaded beforehand: references, not content.
    found.extend(_str_field(params, "dsl_query", "params"))
    model = params.get("model_preference")
    return prompt_of(
        "perplexity_web", found, stream=True, model=model if isinstance(model, str) else None
    )


# --- DeepSeek: POST /api/v0/chat/completion ------------------------------------------------


def _deepseek(body: bytes, content_type: str | None) -> Prompt:
    data = _load_object(body)
    # ref_file_ids: files uploaded beforehand (scanned at upload, if seen).
    found = list(_str_field(data, "prompt", ""))
    return prompt_of("deepseek_web", found, stream=True, model=None)


# --- Mistral Le Chat: POST /api/trpc/<procedure>[?batch=1] ---------------------------------
# tRPC with the superjson transformer: {"0": {"json": {...}, "meta": {...}}} in a batch,
# {"json": {...}} without. Every string leaf of each "json" value, with its exact path.


def _lechat(body: bytes, content_type: str | None) -> Prompt:
    data = _load_object(body)
    if data and all(key.isascii() and key.isdigit() for key in data):
        calls = [(f'["{key}"]', value) for key, value in data.items()]
    else:
        calls = [("", data)]
    found: list[Found] = []
    model: str | None = None
    for where, call in calls:
        obj = _as_object(call, where or "$")
        if "json" in obj:
            payload = obj["json"]
            found.extend(json_leaves(payload, join_path(where, ".json")))
            if isinstance(payload, dict) and isinstance(payload.get("model"), str):
                model = model or payload["model"]
        else:
            found.extend(json_leaves(obj, where))
    return prompt_of("lechat_web", found, stream=False, model=model)


# --- Poe: POST /api/gql_POST -----------------------------------------------------------------
# {"queryName": "sendMessageMutation", "variables": {"bot": …, "query": …, "chatId": …,
#  "clientNonce": …, "sdid": …, …}, "extensions": {"hash": …}}: every string leaf of
# variables except ids, nonces and hashes.

_POE_SKIP = frozenset({"id", "clientNonce", "sdid", "hash", "nonce"})


def _poe_skip(key: str) -> bool:
    return key in _POE_SKIP or key.endswith(("Id", "Ids", "_id", "Hash"))


def _poe(body: bytes, content_type: str | None) -> Prompt:
    data = _load_object(body)
    variables = _optional_object(data, "variables", "")
    found: list[Found] = list(json_leaves(variables, "variables", skip_key=_poe_skip))
    bot = variables.get("bot")
    return prompt_of(
        "poe_graphql", found, stream=False, model=bot if isinstance(bot, str) else None
    )


# --- HuggingChat: POST /chat/conversation/<id> --------------------------------------------
# multipart/form-data: a "data" part with JSON {"inputs": …, "id": …, "is_retry": …,
# "web_search": …, "tools": […]} and one "files" part per attached file.


def _huggingchat(body: bytes, content_type: str | None) -> Prompt:
    media, _ = _media_type(content_type)
    if not media.startswith("multipart/"):  # older releases posted the JSON alone
        data = _load_object(body)
        found: list[Found] = list(json_leaves(data, ""))
        return prompt_of("huggingchat", found, stream=True, model=None)
    message = parse_multipart(body, content_type or "")
    found = []
    seen: dict[str, int] = {}
    for index, part in enumerate(message.iter_parts()):
        name = form_name(part)
        if not _FORM_NAME.fullmatch(name):
            name = f"#{index}"
        occurrence = seen.get(name, 0)
        seen[name] = occurrence + 1
        found.extend(_huggingchat_part(part, f"multipart:{name}[{occurrence}]", name))
    return prompt_of("huggingchat", found, stream=True, model=None)


def _huggingchat_part(part: Message, where: str, name: str) -> Iterator[Found]:
    if part.is_multipart():
        raise ExtractError(f"{where}: nested multipart is not expected")
    data = part.get_payload(decode=True)
    filename = part.get_filename()
    if filename is not None and _worth_scanning(filename):
        yield TextPart(f"{where}.filename", filename)
    if not isinstance(data, bytes) or not data:
        return
    media = part.get_content_type()
    if filename is not None or not (_is_textual(media) or _decode(data, None) is not None):
        yield from file_content(data, filename, media, where)
        return
    # Through _codec, as in the generic reader: an unknown or non-text charset ("bogus",
    # "rot13") is read as UTF-8 instead of raising LookupError.
    text = data.decode(_codec(part.get_content_charset()) or "utf-8", errors="replace")
    if name == "data":
        try:
            payload = _parse_json(text)
        except ExtractError as exc:
            raise ExtractError(f"{where}: {exc}") from None
        if not isinstance(payload, dict):
            raise ExtractError(f"{where}: expected a JSON object, got {_kind(payload)}")
        yield from json_leaves(payload, where + "→")
    elif _worth_scanning(text):
        yield TextPart(where, text)


_READERS: dict[str, Reader] = {
    "chatgpt_web": _chatgpt,
    "claude_web": _claude,
    "gemini_web": _gemini_web,
    "perplexity_web": _perplexity,
    "deepseek_web": _deepseek,
    "lechat_web": _lechat,
    "poe_graphql": _poe,
    "huggingchat": _huggingchat,
}
