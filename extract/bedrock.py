"""Amazon Bedrock runtime (bedrock-runtime.<region>.amazonaws.com and its family).

Field names from the Bedrock Runtime API model (botocore's bedrock-runtime service-2,
API version 2023-09-30), routes in extract/registry.py:

* InvokeModel, InvokeModelWithResponseStream (`POST /model/{modelId}/invoke`,
  `/invoke-with-response-stream`): the body is the model's own JSON. Anthropic's
  Messages body (`anthropic_version`, `messages`, `system`) is read with the Anthropic
  reader; every other native body (Titan `inputText`, Llama/Mistral `prompt`, Cohere
  `message`, Nova `messages`/`system`, embeddings `texts`) by its string leaves.
* Converse, ConverseStream (`POST /model/{modelId}/converse`, `/converse-stream`):
  `system[].text`, `messages[].content[]` blocks (text, document, image, toolUse,
  toolResult, guardContent, reasoningContent, searchResult), files sent as base64
  `bytes`.
* Any other body (ApplyGuardrail, StartAsyncInvoke, CountTokens, agent runtime,
  AgentCore): every JSON string leaf (`bedrock_other`).

Whatever a dedicated walk does not take (tool descriptions and schemas, promptVariables,
requestMetadata, additionalModelRequestFields) is scanned as well (extract/rest.py).
A blocked request gets Bedrock's own error shape (answers/responders.py).
"""

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

from extract import anthropic, generic
from extract.inline_file import inline_file
from extract.json_walk import (
    as_list,
    as_object,
    json_leaves,
    json_value,
    kind_of,
    load_json,
    load_object,
    str_field,
)
from extract.model import Api, ExtractError, Found, Prompt, Reader, Unscanned, prompt_of
from extract.path import ROOT, Path
from extract.rest import with_rest

# Converse document formats → the media type file_text is told (it checks the bytes too).
_DOCUMENT_TYPES = {
    "pdf": "application/pdf",
    "csv": "text/csv",
    "doc": "application/msword",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xls": "application/vnd.ms-excel",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "html": "text/html",
    "txt": "text/plain",
    "md": "text/markdown",
}
_MAX_DEPTH = 8  # toolResult → document → content: real requests need 3 levels


def _invoke(body: bytes, content_type: str | None) -> Prompt:
    data = load_json(body)
    if isinstance(data, dict) and ("anthropic_version" in data or _anthropic_shape(data)):
        found = with_rest(data, ROOT, list(anthropic.walk_messages(data)))
        stream = data.get("stream") is True
        return prompt_of("bedrock_invoke", found, stream=stream, model=None)
    return prompt_of("bedrock_invoke", _native(data), stream=False, model=None)


def _anthropic_shape(data: dict[str, Any]) -> bool:
    """Anthropic Messages without the version field (some clients add it as a header)."""
    messages = data.get("messages")
    return isinstance(messages, list) and "max_tokens" in data and "inputText" not in data


def _native(data: object) -> list[Found]:
    """A native model body: base64 `bytes` fields are files, every other string is text."""
    found: list[Found] = []
    for part in json_leaves(data, ROOT):
        last = part.path.steps[-1] if part.path.steps else None
        if getattr(last, "name", None) == "bytes":
            found.extend(inline_file(part.text, None, None, part.path))
        else:
            found.append(part)
    return found


def _converse(data: dict[str, Any]) -> Iterator[Found]:
    system = data.get("system")
    if system is not None:
        for index, block in enumerate(as_list(system, ROOT.key("system"))):
            where = ROOT.key("system").index(index)
            yield from _block(as_object(block, where), where, 0)
    messages = data.get("messages")
    for index, message in enumerate(as_list(messages or [], ROOT.key("messages"))):
        where = ROOT.key("messages").index(index)
        content = as_object(message, where).get("content")
        yield from _blocks(content, where.key("content"), 0)


def _blocks(value: object, where: Path, depth: int) -> Iterator[Found]:
    if value is None:
        return
    if depth >= _MAX_DEPTH:
        raise ExtractError(f"{where}: content blocks are nested too deeply")
    for index, block in enumerate(as_list(value, where)):
        yield from _block(as_object(block, where.index(index)), where.index(index), depth)


def _block(block: dict[str, Any], where: Path, depth: int) -> Iterator[Found]:
    """One ContentBlock (a union: exactly one member is set in valid requests; all set
    members are read anyway)."""
    yield from str_field(block, "text", where)
    if isinstance(block.get("guardContent"), dict):
        guard = where.key("guardContent")
        text = block["guardContent"].get("text")
        if isinstance(text, dict):
            yield from str_field(text, "text", guard.key("text"))
        yield from _media(block["guardContent"], "image", guard)
    if isinstance(block.get("document"), dict):
        yield from _document(block["document"], where.key("document"), depth)
    for kind in ("image", "video", "audio"):
        yield from _media(block, kind, where)
    if isinstance(block.get("toolUse"), dict):
        yield from json_value(block["toolUse"].get("input"), where.key("toolUse").key("input"))
    if isinstance(block.get("toolResult"), dict):
        result = where.key("toolResult")
        content = block["toolResult"].get("content")
        for index, item in enumerate(as_list(content or [], result.key("content"))):
            at = result.key("content").index(index)
            item = as_object(item, at)
            yield from _block(item, at, depth + 1)
            yield from json_value(item.get("json"), at.key("json"))
    reasoning = block.get("reasoningContent")
    if isinstance(reasoning, dict) and isinstance(reasoning.get("reasoningText"), dict):
        at = where.key("reasoningContent").key("reasoningText")
        yield from str_field(reasoning["reasoningText"], "text", at)
    if isinstance(block.get("searchResult"), dict):
        search = where.key("searchResult")
        yield from str_field(block["searchResult"], "title", search)
        yield from _blocks(block["searchResult"].get("content"), search.key("content"), depth + 1)


def _document(document: dict[str, Any], where: Path, depth: int) -> Iterator[Found]:
    yield from str_field(document, "name", where)  # a file name is scanned, like an upload's
    yield from str_field(document, "context", where)
    source = document.get("source")
    if not isinstance(source, dict):
        return
    at = where.key("source")
    yield from str_field(source, "text", at)
    yield from _blocks(source.get("content"), at.key("content"), depth + 1)
    if "bytes" in source:
        fmt = document.get("format")
        media = _DOCUMENT_TYPES.get(fmt) if isinstance(fmt, str) else None
        name = f"document.{fmt}" if isinstance(fmt, str) and fmt.isalnum() else None
        yield from _bytes(source["bytes"], at.key("bytes"), name, media)


def _media(block: dict[str, Any], kind: str, where: Path) -> Iterator[Found]:
    """An image, video or audio block: its base64 bytes are no text (unscanned)."""
    value = block.get(kind)
    if not isinstance(value, dict):
        return
    source = value.get("source")
    if isinstance(source, dict) and "bytes" in source:
        at = where.key(kind).key("source").key("bytes")
        if not isinstance(source["bytes"], str):
            raise ExtractError(f"{at}: expected a base64 string, got {kind_of(source['bytes'])}")
        yield Unscanned(at)


def _bytes(value: object, where: Path, filename: str | None, media: str | None) -> Iterator[Found]:
    if not isinstance(value, str):
        raise ExtractError(f"{where}: expected a base64 string, got {kind_of(value)}")
    yield from inline_file(value, filename, media, where)


def _read_converse(body: bytes, content_type: str | None) -> Prompt:
    data = load_object(body)
    found = with_rest(data, ROOT, list(_converse(data)))
    return prompt_of("bedrock_converse", found, stream=False, model=None)


def _other(body: bytes, content_type: str | None) -> Prompt:
    """Any other Bedrock body: read like a generic one, answered in Bedrock's shape."""
    return replace(generic.READERS["generic"](body, content_type), api="bedrock_other")


READERS: dict[Api, Reader] = {
    "bedrock_invoke": _invoke,
    "bedrock_converse": _read_converse,
    "bedrock_other": _other,
}
