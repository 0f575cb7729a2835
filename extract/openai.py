"""OpenAI's APIs (also Azure OpenAI and OpenAI-compatible servers): chat completions,
responses, legacy completions and embeddings."""

from collections.abc import Iterator
from typing import Any

from extract.inline_file import data_url_file, file_name_field, inline_file, parse_data_url
from extract.json_walk import (
    as_list,
    as_object,
    as_text_or_list,
    json_reader,
    json_value,
    kind_of,
    required_list,
    str_field,
    text_part,
)
from extract.model import Api, ExtractError, Found, Reader, Skipped, TextPart, Unscanned
from extract.path import ROOT, Path

# --- content parts (chat and responses) ---------------------------------------


def _text_or_parts(value: object, where: Path) -> Iterator[Found]:
    """OpenAI content: a string, an array of typed parts, or null."""
    if value is None:
        return
    value = as_text_or_list(value, where)
    if isinstance(value, str):
        yield from text_part(value, where)
        return
    for index, part in enumerate(value):
        yield from _openai_part(part, where.index(index))


def _openai_part(part: object, where: Path) -> Iterator[Found]:
    # Read "text" whatever the type (text, input_text, output_text, summary_text, ...),
    # so new text part types are scanned too.
    obj = as_object(part, where)
    yield from str_field(obj, "text", where)
    yield from str_field(obj, "refusal", where)
    yield from file_name_field(obj, "filename", where)  # responses input_file
    yield from _data_url_field(obj, "file_data", where, obj.get("filename"))
    yield from str_field(obj, "stdout", where)  # responses shell_call_output
    yield from str_field(obj, "stderr", where)
    file = obj.get("file")
    if isinstance(file, dict):  # chat "file" part
        yield from file_name_field(file, "filename", where.key("file"))
        yield from _data_url_field(file, "file_data", where.key("file"), file.get("filename"))
    image = obj.get("image_url")  # chat: {"url": …}; responses input_image: the URL itself
    if isinstance(image, dict):
        yield from _inline_image(image.get("url"), where.key("image_url").key("url"))
    else:
        yield from _inline_image(image, where.key("image_url"))
    audio = obj.get("input_audio")
    if isinstance(audio, dict) and isinstance(audio.get("data"), str) and audio["data"]:
        yield Unscanned(where.key("input_audio").key("data"))


def _inline_image(url: object, where: Path) -> Iterator[Found]:
    # Only inline images (data URLs) travel in the request; http(s) URLs are references.
    # The bytes decide what it is: an image's metadata is read, a "data:image/png" that
    # holds a PDF is read as a PDF.
    if isinstance(url, str) and url[:5].lower() == "data:":
        parsed = parse_data_url(url)
        if parsed is None:
            yield Unscanned(where)
        else:
            yield from data_url_file(parsed, None, where)


def _data_url_field(
    obj: dict[str, Any], key: str, where: Path, filename: object
) -> Iterator[Found]:
    """An inline file as a data URL ("data:application/pdf;base64,…") or bare base64."""
    value = obj.get(key)
    location = where.key(key)
    if value is None or value == "":
        return
    if not isinstance(value, str):
        raise ExtractError(f"{location}: expected a string, got {kind_of(value)}")
    name = filename if isinstance(filename, str) else None
    if value[:5].lower() == "data:":
        parsed = parse_data_url(value)
        if parsed is None or not parsed.base64:
            raise ExtractError(f"{location}: expected a base64 data URL")
        yield from data_url_file(parsed, name, location)
    else:
        yield from inline_file(value, name, None, location)


# --- chat completions ----------------------------------------------------------


def _openai_chat(data: dict[str, Any]) -> Iterator[Found]:
    for index, message in enumerate(required_list(data, "messages")):
        yield from _chat_message(message, ROOT.key("messages").index(index))
    prediction = data.get("prediction")
    if prediction is not None:
        pred = as_object(prediction, ROOT.key("prediction"))
        yield from _text_or_parts(pred.get("content"), ROOT.key("prediction").key("content"))


def _chat_message(message: object, where: Path) -> Iterator[Found]:
    msg = as_object(message, where)
    yield from _text_or_parts(msg.get("content"), where.key("content"))
    yield from str_field(msg, "name", where)
    yield from str_field(msg, "refusal", where)
    tool_calls = msg.get("tool_calls")
    if tool_calls is not None:
        for index, call in enumerate(as_list(tool_calls, where.key("tool_calls"))):
            yield from _chat_tool_call(call, where.key("tool_calls").index(index))
    yield from _nested_str(msg, "function_call", "arguments", where)  # legacy single call


def _chat_tool_call(call: object, where: Path) -> Iterator[TextPart]:
    obj = as_object(call, where)
    yield from _nested_str(obj, "function", "arguments", where)
    yield from _nested_str(obj, "custom", "input", where)  # custom tool calls


def _nested_str(obj: dict[str, Any], key: str, field: str, where: Path) -> Iterator[TextPart]:
    """Yield obj[key][field], e.g. a tool call's function.arguments, if present."""
    if obj.get(key) is not None:
        yield from str_field(as_object(obj[key], where.key(key)), field, where.key(key))


# --- responses ---------------------------------------------------------------------


def _openai_responses(data: dict[str, Any]) -> Iterator[Found]:
    yield from str_field(data, "instructions", ROOT)
    value = data.get("input")  # optional: previous_response_id or prompt may stand in
    if value is not None:
        value = as_text_or_list(value, ROOT.key("input"))
    if isinstance(value, str):
        yield from text_part(value, ROOT.key("input"))
    elif value is not None:
        for index, item in enumerate(value):
            yield from _responses_item(item, ROOT.key("input").index(index))
    yield from _prompt_variables(data.get("prompt"))


def _responses_item(item: object, where: Path) -> Iterator[Found]:
    # Field-driven rather than type-driven: messages, function/custom/MCP/shell calls,
    # their outputs and reasoning items share these few text-bearing fields.
    obj = as_object(item, where)
    yield from _text_or_parts(obj.get("content"), where.key("content"))
    arguments = obj.get("arguments")  # a JSON string, an object for tool_search_call
    if isinstance(arguments, str):
        yield from text_part(arguments, where.key("arguments"))
    else:
        yield from json_value(arguments, where.key("arguments"))
    if isinstance(obj.get("input"), str):  # custom_tool_call
        yield from str_field(obj, "input", where)
    output = obj.get("output")
    if isinstance(output, str | list):  # computer_call_output carries an image object
        yield from _text_or_parts(output, where.key("output"))
    summary = obj.get("summary")
    if summary is not None:
        yield from _text_or_parts(as_list(summary, where.key("summary")), where.key("summary"))
    yield from str_field(obj, "reason", where)  # mcp_approval_response


def _prompt_variables(prompt: object) -> Iterator[TextPart]:
    # Reusable prompt templates: variables are strings or input_text parts. Lenient, and
    # located by position, so neither errors nor stored locations carry a caller's key.
    if not isinstance(prompt, dict) or not isinstance(prompt.get("variables"), dict):
        return
    variables = ROOT.key("prompt").key("variables")
    for index, (name, value) in enumerate(prompt["variables"].items()):
        where = variables.key(name, index, "ordinal")
        if isinstance(value, str):
            yield from text_part(value, where)
        elif isinstance(value, dict) and isinstance(value.get("text"), str):
            yield from text_part(value["text"], where.key("text"))


# --- legacy completions and embeddings ----------------------------------------------


def _openai_completions(data: dict[str, Any]) -> Iterator[Found]:
    # prompt: a string, an array of strings, or token arrays (no text to scan).
    yield from _strings(data.get("prompt"), ROOT.key("prompt"))
    yield from str_field(data, "suffix", ROOT)


def _openai_embeddings(data: dict[str, Any]) -> Iterator[Found]:
    # Also Ollama's /api/embed: input is a string or an array of strings (or tokens).
    yield from _strings(data.get("input"), ROOT.key("input"))


def _strings(value: object, where: Path) -> Iterator[Found]:
    """A string or an array of strings; token ids (numbers, arrays of numbers) carry none."""
    if value is None:
        return
    value = as_text_or_list(value, where)
    if isinstance(value, str):
        yield from text_part(value, where)
        return
    for index, item in enumerate(value):
        location = where.index(index)
        if isinstance(item, str):
            yield from text_part(item, location)
        elif isinstance(item, list | int) and not isinstance(item, bool):
            yield Skipped(location)  # token ids (extract/coverage.py)
        else:
            raise ExtractError(f"{location}: expected a string or tokens, got {kind_of(item)}")


READERS: dict[Api, Reader] = {
    "openai_chat": json_reader("openai_chat", _openai_chat),
    "openai_responses": json_reader("openai_responses", _openai_responses),
    "openai_completions": json_reader("openai_completions", _openai_completions),
    "openai_embeddings": json_reader("openai_embeddings", _openai_embeddings),
}
