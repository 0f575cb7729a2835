"""Ollama's native API (/api/chat, /api/generate); its OpenAI-compatible endpoints are
read by extract/openai.py."""

from collections.abc import Iterator
from typing import Any

from extract.json_walk import as_list, as_object, json_reader, json_value, required_list, str_field
from extract.model import Api, Found, Reader, Unscanned


def _ollama_chat(data: dict[str, Any]) -> Iterator[Found]:
    for index, message in enumerate(required_list(data, "messages")):
        where = f"messages[{index}]"
        msg = as_object(message, where)
        yield from str_field(msg, "content", where)
        yield from str_field(msg, "thinking", where)
        yield from _ollama_images(msg, where)
        tool_calls = msg.get("tool_calls")
        if tool_calls is not None:
            for number, call in enumerate(as_list(tool_calls, f"{where}.tool_calls")):
                at = f"{where}.tool_calls[{number}]"
                function = as_object(call, at).get("function")
                if function is not None:
                    arguments = as_object(function, f"{at}.function").get("arguments")
                    yield from json_value(arguments, f"{at}.function.arguments")


def _ollama_generate(data: dict[str, Any]) -> Iterator[Found]:
    yield from str_field(data, "system", "")
    yield from str_field(data, "prompt", "")
    yield from str_field(data, "suffix", "")
    yield from str_field(data, "template", "")
    yield from _ollama_images(data, "")


def _ollama_images(obj: dict[str, Any], where: str) -> Iterator[Found]:
    images = obj.get("images")
    location = f"{where}.images" if where else "images"
    if images is None:
        return
    for index, image in enumerate(as_list(images, location)):
        if isinstance(image, str) and image:
            yield Unscanned(f"{location}[{index}]")


READERS: dict[Api, Reader] = {
    # Ollama streams unless told not to.
    "ollama_chat": json_reader("ollama_chat", _ollama_chat, streams_by_default=True),
    "ollama_generate": json_reader("ollama_generate", _ollama_generate, streams_by_default=True),
}
