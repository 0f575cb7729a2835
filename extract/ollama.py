"""Ollama's native API (/api/chat, /api/generate); its OpenAI-compatible endpoints are
read by extract/openai.py."""

from collections.abc import Iterator
from typing import Any

from extract.inline_file import inline_file
from extract.json_walk import as_list, as_object, json_reader, json_value, required_list, str_field
from extract.model import Api, Found, Reader
from extract.path import ROOT, Path


def _ollama_chat(data: dict[str, Any]) -> Iterator[Found]:
    for index, message in enumerate(required_list(data, "messages")):
        where = ROOT.key("messages").index(index)
        msg = as_object(message, where)
        yield from str_field(msg, "content", where)
        yield from str_field(msg, "thinking", where)
        yield from _ollama_images(msg, where)
        tool_calls = msg.get("tool_calls")
        if tool_calls is not None:
            for number, call in enumerate(as_list(tool_calls, where.key("tool_calls"))):
                at = where.key("tool_calls").index(number)
                function = as_object(call, at).get("function")
                if function is not None:
                    arguments = as_object(function, at.key("function")).get("arguments")
                    yield from json_value(arguments, at.key("function").key("arguments"))


def _ollama_generate(data: dict[str, Any]) -> Iterator[Found]:
    yield from str_field(data, "system", ROOT)
    yield from str_field(data, "prompt", ROOT)
    yield from str_field(data, "suffix", ROOT)
    yield from str_field(data, "template", ROOT)
    yield from _ollama_images(data, ROOT)


def _ollama_images(obj: dict[str, Any], where: Path) -> Iterator[Found]:
    images = obj.get("images")
    location = where.key("images")
    if images is None:
        return
    for index, image in enumerate(as_list(images, location)):
        if isinstance(image, str) and image:  # base64: the bytes say what it is
            yield from inline_file(image, None, None, location.index(index))


READERS: dict[Api, Reader] = {
    # Ollama streams unless told not to.
    "ollama_chat": json_reader("ollama_chat", _ollama_chat, streams_by_default=True),
    "ollama_generate": json_reader("ollama_generate", _ollama_generate, streams_by_default=True),
}
