"""The Gemini API (generateContent, streamGenerateContent; also Vertex AI).

Protobuf JSON: the REST API accepts camelCase and snake_case field names alike.
"""

from collections.abc import Iterator
from typing import Any

from extract.inline_file import file_name_field, inline_file
from extract.json_walk import (
    as_list,
    as_object,
    json_reader,
    json_value,
    kind_of,
    str_field,
    text_part,
)
from extract.model import Api, ExtractError, Found, Reader
from extract.path import ROOT, Path


def _either(obj: dict[str, Any], camel: str, snake: str) -> tuple[str, object]:
    return (camel, obj[camel]) if camel in obj else (snake, obj.get(snake))


def _gemini_generate(data: dict[str, Any]) -> Iterator[Found]:
    key, system = _either(data, "systemInstruction", "system_instruction")
    if system is not None:
        yield from _gemini_content(system, ROOT.key(key))
    contents = data.get("contents")
    if contents is None:  # cached content may stand in
        return
    for index, content in enumerate(as_list(contents, ROOT.key("contents"))):
        yield from _gemini_content(content, ROOT.key("contents").index(index))


def _gemini_content(value: object, where: Path) -> Iterator[Found]:
    if isinstance(value, str):  # the SDKs accept a bare string for systemInstruction
        yield from text_part(value, where)
        return
    content = as_object(value, where)
    parts = content.get("parts")
    if parts is None:
        return
    for index, part in enumerate(as_list(parts, where.key("parts"))):
        yield from _gemini_part(
            as_object(part, where.key("parts").index(index)), where.key("parts").index(index)
        )


def _gemini_part(part: dict[str, Any], where: Path) -> Iterator[Found]:
    yield from str_field(part, "text", where)
    key, inline = _either(part, "inlineData", "inline_data")
    if inline is not None:
        blob = as_object(inline, where.key(key))
        mime_key, media = _either(blob, "mimeType", "mime_type")
        if media is not None and not isinstance(media, str):
            raise ExtractError(f"{where}.{key}.{mime_key}: expected a string, got {kind_of(media)}")
        raw = blob.get("data")
        if raw is not None:
            if not isinstance(raw, str):
                raise ExtractError(f"{where}.{key}.data: expected a string, got {kind_of(raw)}")
            location = where.key(key).key("data")
            name = blob.get("displayName")
            filename = name if isinstance(name, str) else None
            yield from file_name_field(blob, "displayName", where.key(key))
            yield from inline_file(raw, filename, media, location)
    key, call = _either(part, "functionCall", "function_call")
    if isinstance(call, dict):
        yield from json_value(call.get("args"), where.key(key).key("args"))
    key, response = _either(part, "functionResponse", "function_response")
    if isinstance(response, dict):
        yield from json_value(response.get("response"), where.key(key).key("response"))
    key, code = _either(part, "executableCode", "executable_code")
    if isinstance(code, dict):
        yield from str_field(code, "code", where.key(key))
    key, result = _either(part, "codeExecutionResult", "code_execution_result")
    if isinstance(result, dict):
        yield from str_field(result, "output", where.key(key))


READERS: dict[Api, Reader] = {
    "gemini_generate": json_reader("gemini_generate", _gemini_generate),
}

# One Content (role and parts), for readers of other messages that embed Contents
# (the Live API's setup.systemInstruction and clientContent.turns).
walk_content = _gemini_content
