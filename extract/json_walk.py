"""Reading JSON request bodies: parsing, type checks that name the location (never the
value), text fields, and walking every string leaf with its path.

Shared by the provider extractors (openai, anthropic, gemini, ollama), the generic one
and the web apps. Error messages say what is wrong and where, never echo body content.
"""

import json
import re
from collections.abc import Callable, Iterator
from typing import Any

from extract.model import Api, ExtractError, Found, Prompt, Reader, TextPart, prompt_of
from extract.path import ROOT, Key, Path

# Locations end up in the findings log, which must never hold a detected value. JSON keys
# are caller data in principle (a map keyed by e-mail address), so only identifier-like
# names appear verbatim; any other name is located by its position ("[#2]").
MAX_JSON_DEPTH = 64
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_-]{0,63}")
_DIGIT_RUN = re.compile(r"[0-9]{4}")
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


# --- decoding -----------------------------------------------------------------


def load_object(body: bytes) -> dict[str, Any]:
    data = load_json(body)
    if not isinstance(data, dict):
        raise ExtractError(f"request body must be a JSON object, not {kind_of(data)}")
    return data


def load_json(body: bytes) -> Any:
    if not body:
        raise ExtractError("request body is empty")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise ExtractError("request body is not valid UTF-8") from None
    return parse_json(text)


def parse_json(text: str) -> Any:
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


def model_field(data: dict[str, Any]) -> str | None:
    model = data.get("model")
    if model is not None and not isinstance(model, str):
        raise ExtractError(f"model: expected a string, got {kind_of(model)}")
    return model


def json_reader(
    api: Api, walk: Callable[[dict[str, Any]], Iterator[Found]], *, streams_by_default: bool = False
) -> Reader:
    """A Reader for an API whose body is one JSON object: what `walk` finds, and the
    top-level `stream` (true streams; with streams_by_default anything but false) and
    `model`."""

    def read(body: bytes, content_type: str | None) -> Prompt:
        data = load_object(body)
        found = list(walk(data))
        stream = data.get("stream")
        streams = stream is not False if streams_by_default else stream is True
        return prompt_of(api, found, stream=streams, model=model_field(data))

    return read


# --- type checks that name the location, never the value -----------------------


def kind_of(value: object) -> str:
    names = {dict: "object", list: "array", str: "string", bool: "boolean", type(None): "null"}
    return names.get(type(value), "number")


def as_object(value: object, where: Path) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ExtractError(f"{where}: expected an object, got {kind_of(value)}")
    return value


def as_list(value: object, where: Path) -> list[Any]:
    if not isinstance(value, list):
        raise ExtractError(f"{where}: expected an array, got {kind_of(value)}")
    return value


def as_text_or_list(value: object, where: Path) -> str | list[Any]:
    if not isinstance(value, str | list):
        raise ExtractError(f"{where}: expected a string or an array, got {kind_of(value)}")
    return value


def required_list(data: dict[str, Any], key: str) -> list[Any]:
    if key not in data:
        raise ExtractError(f"{key}: required field is missing")
    return as_list(data[key], ROOT.key(key))


def optional_list(data: dict[str, Any], key: str, where: Path) -> list[Any]:
    value = data.get(key)
    return [] if value is None else as_list(value, where.key(key))


def optional_object(data: dict[str, Any], key: str, where: Path) -> dict[str, Any]:
    value = data.get(key)
    return {} if value is None else as_object(value, where.key(key))


# --- text fields ----------------------------------------------------------------


def text_part(value: str, where: Path) -> Iterator[TextPart]:
    if value.strip():
        yield TextPart(where, value)


def str_field(obj: dict[str, Any], key: str, where: Path) -> Iterator[TextPart]:
    """Yield obj[key] if it is a non-empty string; absent or null is fine."""
    value = obj.get(key)
    location = where.key(key)
    if value is None:
        return
    if not isinstance(value, str):
        raise ExtractError(f"{location}: expected a string, got {kind_of(value)}")
    yield from text_part(value, location)


def json_value(value: object, where: Path) -> Iterator[Found]:
    if value in (None, {}, []):
        return
    # ensure_ascii=False keeps "Müller" scannable instead of "M\u00fcller".
    yield from text_part(json.dumps(value, ensure_ascii=False), where)


def worth_scanning(value: str) -> bool:
    # UUIDs (message and conversation ids) and single characters are never prose.
    stripped = value.strip()
    return len(stripped) >= 2 and not _UUID.fullmatch(stripped)


# --- every string leaf, with its path --------------------------------------------


def name_segment(name: str, index: int) -> Key:
    """A key as shown by the generic reader and the residual walker: .name when it looks
    like a field name, else [#position] (an identifier with a run of digits may be an
    account or customer number: "DE89370400440532013000")."""
    named = _NAME.fullmatch(name) and not _DIGIT_RUN.search(name)
    return Key(name, index, "name" if named else "position")


def path_segment(key: str, index: int) -> Key:
    """A key as an exact path step: .name, ["0"] for batch indexes, else [#position]."""
    if _NAME.fullmatch(key):
        return Key(key, index, "name")
    quoted = key.isascii() and key.isdigit() and len(key) <= 9
    return Key(key, index, "quoted" if quoted else "position")


def json_leaves(
    data: object,
    root: Path,
    *,
    segment: Callable[[str, int], Key] = path_segment,
    skip_key: Callable[[str], bool] | None = None,
) -> list[TextPart]:
    """Every string leaf below root in document order, with its path from root.

    Keys for which skip_key is true are left out with everything below them.
    """
    parts: list[TextPart] = []
    stack: list[tuple[object, Path, int]] = [(data, root, 0)]
    while stack:
        value, where, depth = stack.pop()
        if isinstance(value, str):
            if worth_scanning(value):
                parts.append(TextPart(where, value))
            continue
        if isinstance(value, dict):
            children = [
                (child, where.then(segment(key, index)), depth + 1)
                for index, (key, child) in enumerate(value.items())
                if skip_key is None or not skip_key(key)
            ]
        elif isinstance(value, list):
            children = [(child, where.index(index), depth + 1) for index, child in enumerate(value)]
        else:
            continue
        if depth >= MAX_JSON_DEPTH and children:
            raise ExtractError("request body is nested too deeply")
        stack.extend(reversed(children))
    return parts
