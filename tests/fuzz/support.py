"""Shared strategies, inputs and the case counter of the fuzz tests."""

from __future__ import annotations

import base64
import json
import os
import re
import sys
from collections import Counter
from functools import cache
from pathlib import Path
from typing import Any, get_args

from hypothesis import settings
from hypothesis import strategies as st

from extract.model import Api
from tests.extract.file_samples import PNG_1X1, docx_bytes, pdf_bytes, pptx_bytes, xlsx_bytes

PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "ci")  # conftest loads it
CASES: Counter[str] = Counter()  # generated cases run, per test (conftest prints them)


def tick() -> None:
    """Count one case for the calling test."""
    CASES[sys._getframe(1).f_code.co_name] += 1


def budget(weight: float) -> settings:
    """The active profile's max_examples scaled by weight (at least 1)."""
    return settings(max_examples=max(1, int(settings.default.max_examples * weight)))


# --- real request bodies ------------------------------------------------------------

WIRE = Path(__file__).parents[1] / "extract" / "fixtures" / "wire"
HF_BOUNDARY = "----WebKitFormBoundaryq7K2mZ9xT4pLw8Rd"
FORM_TYPE = "application/x-www-form-urlencoded;charset=UTF-8"

# fixture file → (api it is for, family, path, content type)
FIXTURES: dict[str, tuple[Api, str, str, str]] = {
    "openai_chat_completions.json": (
        "openai_chat",
        "openai",
        "/v1/chat/completions",
        "application/json",
    ),
    "azure_chat_completions.json": (
        "openai_chat",
        "openai",
        "/openai/deployments/gpt-4o/chat/completions",
        "application/json",
    ),
    "openai_responses_input_file.json": (
        "openai_responses",
        "openai",
        "/v1/responses",
        "application/json",
    ),
    "openai_completions_legacy.json": (
        "openai_completions",
        "openai",
        "/v1/completions",
        "application/json",
    ),
    "openai_embeddings.json": ("openai_embeddings", "openai", "/v1/embeddings", "application/json"),
    "ollama_chat.json": ("ollama_chat", "ollama", "/api/chat", "application/json"),
    "ollama_generate.json": ("ollama_generate", "ollama", "/api/generate", "application/json"),
    "anthropic_messages_documents.json": (
        "anthropic_messages",
        "anthropic",
        "/v1/messages",
        "application/json",
    ),
    "gemini_generate_content.json": (
        "gemini_generate",
        "gemini",
        "/v1beta/models/gemini-2.0-flash:streamGenerateContent",
        "application/json",
    ),
    "chatgpt_web_conversation.json": (
        "chatgpt_web",
        "chatgpt-web",
        "/backend-api/f/conversation",
        "application/json",
    ),
    "claude_web_completion.json": (
        "claude_web",
        "claude-web",
        "/api/organizations/0a1b2c3d/chat_conversations/5e6f7a8b/completion",
        "application/json",
    ),
    "gemini_web_stream_generate.form": (
        "gemini_web",
        "gemini-web",
        "/_/BardChatUi/data/assistant.lamda.BardFrontendService/StreamGenerate",
        FORM_TYPE,
    ),
    "perplexity_ask.json": (
        "perplexity_web",
        "perplexity-web",
        "/rest/sse/perplexity_ask",
        "application/json",
    ),
    "deepseek_completion.json": (
        "deepseek_web",
        "deepseek-web",
        "/api/v0/chat/completion",
        "application/json",
    ),
    "lechat_trpc_new_chat.json": (
        "lechat_web",
        "lechat-web",
        "/api/trpc/message.newChat?batch=1",
        "application/json",
    ),
    "poe_gql_send_message.json": (
        "poe_graphql",
        "poe-graphql",
        "/api/gql_POST",
        "application/json",
    ),
    "huggingchat_conversation.multipart": (
        "huggingchat",
        "huggingchat",
        "/chat/conversation/abc",
        f"multipart/form-data; boundary={HF_BOUNDARY}",
    ),
    "poe_gql_upload.multipart": (
        "poe_upload",
        "poe-graphql",
        "/api/gql_upload_POST",
        "multipart/form-data; boundary=----WebKitFormBoundaryP0e7Upl0adMulti9",
    ),
    "lechat_chat_create.json": ("lechat_chat", "lechat-web", "/api/chat", "application/json"),
    "lechat_trpc_upload_file.json": (
        "lechat_upload",
        "lechat-web",
        "/api/trpc/file.uploadFile?batch=1",
        "application/json",
    ),
    "deepseek_edit_message.json": (
        "deepseek_web",
        "deepseek-web",
        "/api/v0/chat/edit_message",
        "application/json",
    ),
    "m365_upload_file.form": (
        "m365_upload",
        "copilot-ws",
        "/m365Copilot/UploadFile",
        "application/x-www-form-urlencoded",
    ),
}

# Every Api the extractors define: a new one is fuzzed without touching this file.
APIS: tuple[Api, ...] = get_args(Api)
# bedrock_other is the generic reader answered in Bedrock's shape: text is scanned as text.
JSON_APIS = tuple(
    a
    for a in APIS
    if a
    not in ("gemini_web", "huggingchat", "poe_upload", "m365_upload", "generic", "bedrock_other")
)


@cache
def fixture_body(name: str) -> bytes:
    body = (WIRE / name).read_bytes()
    if name.endswith(".multipart"):  # a checkout may have rewritten the CRLF line ends
        body = re.sub(rb"\r?\n", b"\r\n", body)
    return body


@cache
def fixture_json(name: str) -> Any:
    return json.loads(fixture_body(name))


JSON_FIXTURES = tuple(n for n in FIXTURES if n.endswith(".json"))

# --- JSON ----------------------------------------------------------------------------

# Never to be echoed by an ExtractError (a space and a colon: no key, no form name).
MARKER = "Geheim: Erika Müller"


@cache
def _files() -> dict[str, bytes]:
    return {
        "pdf": pdf_bytes([f"IBAN {MARKER}"]),
        "docx": docx_bytes([MARKER]),
        "xlsx": xlsx_bytes({"S": [[MARKER, 1]]}),
        "pptx": pptx_bytes([MARKER]),
        "png": PNG_1X1,
    }


def _b64(kind: str) -> str:
    return base64.b64encode(_files()[kind]).decode()


# Keys and values the extractors look at: random JSON built from these reaches the
# type checks at known keys (messages as a number, content parts as null, ...).
KNOWN_KEYS = (
    "messages",
    "content",
    "role",
    "text",
    "type",
    "parts",
    "model",
    "stream",
    "input",
    "prompt",
    "system",
    "instructions",
    "contents",
    "tool_calls",
    "function",
    "arguments",
    "custom",
    "file",
    "file_data",
    "filename",
    "image_url",
    "url",
    "input_audio",
    "data",
    "source",
    "media_type",
    "title",
    "context",
    "thinking",
    "refusal",
    "name",
    "suffix",
    "summary",
    "output",
    "reason",
    "variables",
    "prediction",
    "images",
    "inlineData",
    "inline_data",
    "mimeType",
    "mime_type",
    "displayName",
    "functionCall",
    "args",
    "functionResponse",
    "response",
    "executableCode",
    "code",
    "codeExecutionResult",
    "systemInstruction",
    "system_instruction",
    "metadata",
    "attachments",
    "extracted_content",
    "file_name",
    "personalized_styles",
    "query_str",
    "params",
    "dsl_query",
    "model_preference",
    "json",
    "meta",
    "0",
    "1",
    "variables",
    "bot",
    "query",
    "chatId",
    "clientNonce",
    "inputs",
    "event",
    "conversationId",
    "target",
    "invocationId",
    "message",
    "previousMessages",
    "description",
    "stdout",
    "stderr",
    "user_profile",
    "user_instructions",
)
KNOWN_STRINGS = (
    "text",
    "input_text",
    "image",
    "tool_use",
    "tool_result",
    "server_tool_use",
    "mcp_tool_result",
    "document",
    "search_result",
    "thinking",
    "base64",
    "content",
    "url",
    "file",
    "user",
    "assistant",
    "send",
    "multimodal_text",
    "",
    " ",
    "\x00",
    "a",
    "ab",
    MARKER,
    "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d",
    "c_0123456789abcdef",
    "data:",
    "data:,",
    "data:;base64",
    "data:image/png;base64,",
    "data:text/plain;base64,@@@",
    '{"a": ["x y"]}',
    '[null, "[[\\"x y\\"]]"]',
    "[[[[",
    "{",
    "\ud800",
    "\udcff",
)


@st.composite
def _inline_files(draw: st.DrawFn) -> str:
    kind = draw(st.sampled_from(["pdf", "docx", "xlsx", "pptx", "png"]))
    media = draw(st.sampled_from(["application/pdf", "image/png", "text/plain", "", "x/y"]))
    encoded = _b64(kind)
    if draw(st.booleans()):  # damaged
        cut = draw(st.integers(0, len(encoded)))
        encoded = encoded[:cut] + draw(st.sampled_from(["", "=", "!", "-_", " \n"]))
    return draw(st.sampled_from([encoded, f"data:{media};base64,{encoded}"]))


# One string in 16 is an inline file (parsing PDFs and Office files is the slow part).
json_strings = st.one_of(
    *[st.text(max_size=20)] * 7, *[st.sampled_from(KNOWN_STRINGS)] * 8, _inline_files()
)
json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(),
    json_strings,
)
json_keys = st.one_of(st.sampled_from(KNOWN_KEYS), st.text(max_size=8))


@cache  # built once: a new recursive strategy per draw is slow to validate
def json_values(max_leaves: int = 30) -> st.SearchStrategy[Any]:
    return st.recursive(
        json_scalars,
        lambda kids: st.one_of(
            st.lists(kids, max_size=5),
            st.dictionaries(json_keys, kids, max_size=6),
        ),
        max_leaves=max_leaves,
    )


def dump(value: Any, ensure_ascii: bool) -> bytes:
    """JSON bytes; lone surrogates become invalid UTF-8 (surrogatepass) when not escaped."""
    return json.dumps(value, ensure_ascii=ensure_ascii).encode("utf-8", "surrogatepass")


# A body's top level: the known keys with random values, then random extra keys.
top_level = st.dictionaries(st.sampled_from(KNOWN_KEYS), json_values(12), max_size=6)


def _paths(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [path]
    if isinstance(value, dict):
        for key, child in value.items():
            found.extend(_paths(child, (*path, key)))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found.extend(_paths(child, (*path, index)))
    return found


def _replace(value: Any, path: tuple[Any, ...], new: Any) -> Any:
    if not path:
        return new
    head, rest = path[0], path[1:]
    if isinstance(value, dict):
        return {k: (_replace(v, rest, new) if k == head else v) for k, v in value.items()}
    return [(_replace(v, rest, new) if i == head else v) for i, v in enumerate(value)]


_DELETE = object()


def _delete(value: Any, path: tuple[Any, ...]) -> Any:
    head, rest = path[0], path[1:]
    if rest:
        if isinstance(value, dict):
            return {k: (_delete(v, rest) if k == head else v) for k, v in value.items()}
        return [(_delete(v, rest) if i == head else v) for i, v in enumerate(value)]
    if isinstance(value, dict):
        return {k: v for k, v in value.items() if k != head}
    return [v for i, v in enumerate(value) if i != head]


@st.composite
def mutated_document(draw: st.DrawFn, name: str) -> Any:
    """A fixture's JSON with 1-3 values replaced by random JSON (wrong types), deleted,
    wrapped in an array or an object."""
    doc = fixture_json(name)
    for _ in range(draw(st.integers(1, 3))):
        paths = _paths(doc)
        path = draw(st.sampled_from(paths))
        how = draw(st.sampled_from(["replace", "replace", "delete", "wrap", "wrap_object"]))
        if how == "delete" and path:
            doc = _delete(doc, path)
            continue
        current = doc
        for step in path:
            current = current[step]
        if how == "wrap":
            new = [current]
        elif how == "wrap_object":
            new = {draw(json_keys): current}
        else:
            new = draw(json_values(10))
        doc = _replace(doc, path, new)
    return doc


# --- bytes ---------------------------------------------------------------------------

INVALID_UTF8 = (
    b"\xff",
    b"\xfe",
    b"\xc3",
    b"\xc0\xaf",
    b"\xed\xa0\x80",
    b"\xf4\x90\x80\x80",
    b"\xe2\x82",
    b"\x80",
    b"\x00",
    b"\xef\xbb\xbf",
)


@st.composite
def mutated_bytes(draw: st.DrawFn, body: bytes) -> bytes:
    """body with 1-4 edits: truncation, byte flips, invalid UTF-8, deletions, repeats."""
    data = bytearray(body)
    for _ in range(draw(st.integers(1, 4))):
        how = draw(st.sampled_from(["truncate", "flip", "insert", "delete", "repeat", "set"]))
        at = draw(st.integers(0, len(data)))
        if how == "truncate":
            del data[at:]
        elif how == "flip" and at < len(data):
            data[at] ^= 1 << draw(st.integers(0, 7))
        elif how == "set" and at < len(data):
            data[at] = draw(st.sampled_from(b'{}[]",:\\0 \x00\xff'))
        elif how == "insert":
            data[at:at] = draw(st.sampled_from(INVALID_UTF8) | st.binary(max_size=4))
        elif how == "delete":
            del data[at : at + draw(st.integers(1, 16))]
        elif how == "repeat":
            data[at:at] = data[at : at + draw(st.integers(1, 64))]
    return bytes(data)


def chunked(body: bytes, sizes: list[int], extension: bytes = b"", trailer: bytes = b"") -> bytes:
    """body in HTTP/1.1 chunked framing (as if a client's framing reached the extractor)."""
    out = bytearray()
    rest = body
    for size in sizes:
        if not rest:
            break
        piece, rest = rest[: max(size, 1)], rest[max(size, 1) :]
        out += b"%x%s\r\n%s\r\n" % (len(piece), extension, piece)
    if rest:
        out += b"%x\r\n%s\r\n" % (len(rest), rest)
    return bytes(out + b"0\r\n" + trailer + b"\r\n")


# --- content types ------------------------------------------------------------------

CHARSETS = (
    "utf-8",
    "UTF-8",
    "latin-1",
    "iso-8859-15",
    "cp1252",
    "utf-16",
    "utf-16-le",
    "utf-32",
    "utf-7",
    "ascii",
    "bogus",
    "rot13",
    "hex",
    "base64",
    "idna",
    "punycode",
    "unicode-escape",
    "zlib",
    "",
    '"utf-8"',
    "utf-8'de'",
    "\udcff",
    "x" * 200,
)
MEDIA = (
    "application/json",
    "text/plain",
    "application/x-www-form-urlencoded",
    "multipart/form-data",
    "multipart/mixed",
    "application/octet-stream",
    "application/pdf",
    "image/png",
    "application/x-ndjson",
    "text/event-stream",
    "application/vnd.api+json",
    "text/html",
    "application/xml",
    "",
    "json",
    "multipart/",
    "*/*",
)


@st.composite
def _declared_type(draw: st.DrawFn) -> str:
    media = draw(st.sampled_from(MEDIA))
    params = draw(
        st.lists(
            st.one_of(
                st.sampled_from(CHARSETS).map(lambda c: f"charset={c}"),
                st.sampled_from(["boundary=", "boundary=x", 'boundary="a b"', "boundary"]),
                st.text(max_size=12),
            ),
            max_size=3,
        )
    )
    return "; ".join([media, *params])


content_types = st.one_of(
    st.none(),
    st.sampled_from(MEDIA),
    _declared_type(),
    st.text(max_size=40),
    st.sampled_from(["application/json, text/plain", "a\r\nb: c", "multipart/form-data\n"]),
)
