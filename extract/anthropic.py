"""Anthropic's Messages API (/v1/messages): system, messages and their content blocks."""

from collections.abc import Iterator
from typing import Any

from extract.inline_file import inline_file
from extract.json_walk import (
    as_object,
    as_text_or_list,
    json_reader,
    json_value,
    kind_of,
    required_list,
    str_field,
    text_part,
)
from extract.model import Api, ExtractError, Found, Reader
from extract.path import ROOT, Path

# Content blocks nest (tool_result -> document -> content); real requests need 3 levels.
_MAX_BLOCK_DEPTH = 8


def _anthropic_messages(data: dict[str, Any]) -> Iterator[Found]:
    yield from _blocks(data.get("system"), ROOT.key("system"), depth=0)
    for index, message in enumerate(required_list(data, "messages")):
        where = ROOT.key("messages").index(index)
        msg = as_object(message, where)
        yield from _blocks(msg.get("content"), where.key("content"), depth=0)


def _blocks(value: object, where: Path, *, depth: int) -> Iterator[Found]:
    """Anthropic content: a string, an array of typed blocks, or null."""
    if value is None:
        return
    value = as_text_or_list(value, where)
    if isinstance(value, str):
        yield from text_part(value, where)
        return
    if depth >= _MAX_BLOCK_DEPTH:
        raise ExtractError(f"{where}: content blocks are nested too deeply")
    for index, block in enumerate(value):
        yield from _block(as_object(block, where.index(index)), where.index(index), depth)


def _block(block: dict[str, Any], where: Path, depth: int) -> Iterator[Found]:
    kind = block.get("type")
    if kind in ("tool_use", "server_tool_use", "mcp_tool_use"):
        yield from json_value(block.get("input"), where.key("input"))
    elif kind in ("tool_result", "mcp_tool_result"):
        yield from _blocks(block.get("content"), where.key("content"), depth=depth + 1)
    elif kind == "document":
        yield from _document(block, where, depth)
    elif kind == "search_result":
        yield from str_field(block, "title", where)
        yield from _blocks(block.get("content"), where.key("content"), depth=depth + 1)
    elif kind == "thinking":  # a prior turn's reasoning can quote the user's data
        yield from str_field(block, "thinking", where)
    elif kind == "image":
        yield from _anthropic_source(block, where, None)
    else:  # text, and any future block that carries text
        yield from str_field(block, "text", where)


def _document(block: dict[str, Any], where: Path, depth: int) -> Iterator[Found]:
    yield from str_field(block, "title", where)
    yield from str_field(block, "context", where)
    source = block.get("source")
    if source is None:
        return
    src = as_object(source, where.key("source"))
    if src.get("type") == "text":
        yield from str_field(src, "data", where.key("source"))
    elif src.get("type") == "content":
        yield from _blocks(src.get("content"), where.key("source").key("content"), depth=depth + 1)
    else:
        title = block.get("title")
        yield from _anthropic_source(block, where, title if isinstance(title, str) else None)


def _anthropic_source(block: dict[str, Any], where: Path, filename: str | None) -> Iterator[Found]:
    """An image or document source: base64 is inline content; url and file are references."""
    source = block.get("source")
    if source is None:
        return
    src = as_object(source, where.key("source"))
    if src.get("type") != "base64":
        return
    location = where.key("source").key("data")
    data, media = src.get("data"), src.get("media_type")
    if not isinstance(data, str):
        raise ExtractError(f"{location}: expected a string, got {kind_of(data)}")
    if media is not None and not isinstance(media, str):
        raise ExtractError(f"{where}.source.media_type: expected a string, got {kind_of(media)}")
    yield from inline_file(data, filename, media, location)


READERS: dict[Api, Reader] = {
    "anthropic_messages": json_reader("anthropic_messages", _anthropic_messages),
}

# The Messages walk, for readers of bodies that embed a Messages request (Bedrock's
# InvokeModel with an Anthropic model, Vertex AI's rawPredict).
walk_messages = _anthropic_messages
