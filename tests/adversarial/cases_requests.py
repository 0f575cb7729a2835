"""Adversarial cases: request fields no extractor reads, request parts outside the body,
and bodies in encodings the reader must undo (issue 19, classes 1–3), plus values split
across parts that a redacting gateway must rewrite in every part or block."""

from __future__ import annotations

import base64
import codecs
import gzip
import json
import zlib
from collections.abc import Callable
from typing import Any

import brotli
import zstandard

from tests.adversarial.harness import (
    CARD,
    EMAIL,
    IBAN,
    IBAN_SPACED,
    Case,
    Client,
    chat_body,
    sdk_status,
)

OPENAI = "https://api.openai.com"
ANTHROPIC = "https://api.anthropic.com"
GEMINI = "https://generativelanguage.googleapis.com"
CHATGPT = "https://chatgpt.com"
JSON = {"content-type": "application/json"}
SECRET = "ghp_" + "Zq4" * 12  # a GitHub token shape the SECRET recognizer knows
CLEAN = "Fasse die Vorteile von Wärmepumpen zusammen."
USER = [{"role": "user", "content": CLEAN}]


def post(url: str, body: bytes, headers: dict[str, str] | None = None) -> Callable[[Client], int]:
    return lambda client: client.request("POST", url, body=body, headers=headers or JSON)


def chat_with(**extra: Any) -> Callable[[Client], int]:
    """A clean chat completion (official SDK) with extra request fields."""
    fields = {"model": "gpt-4o-mini", "messages": USER, **extra}
    return lambda client: sdk_status(lambda: client.openai().chat.completions.create(**fields))


def tool(description: str = "Bucht eine Zahlung.", **schema: Any) -> dict[str, Any]:
    parameters = {"type": "object", "properties": schema or {"betrag": {"type": "number"}}}
    return {
        "type": "function",
        "function": {"name": "buche", "description": description, "parameters": parameters},
    }


def responses_with(**extra: Any) -> Callable[[Client], int]:
    return lambda client: sdk_status(
        lambda: client.openai().responses.create(model="gpt-4.1", input=CLEAN, **extra)
    )


def claude_with(**extra: Any) -> Callable[[Client], int]:
    return lambda client: sdk_status(
        lambda: client.anthropic().messages.create(
            model="claude-test", max_tokens=50, messages=USER, **extra
        )
    )


def gemini(**extra: Any) -> Callable[[Client], int]:
    body = {"contents": [{"role": "user", "parts": [{"text": CLEAN}]}], **extra}
    url = f"{GEMINI}/v1beta/models/gemini-2.0-flash:generateContent"
    return post(url, json.dumps(body).encode(), {**JSON, "x-goog-api-key": "test"})


def chatgpt_web(**extra: Any) -> Callable[[Client], int]:
    message = {
        "id": "aaa1b2c3-aaaa-4bbb-8ccc-123456789abc",
        "author": {"role": "user"},
        "content": {"content_type": "text", "parts": [CLEAN]},
    }
    body = {"action": "next", "messages": [message], "model": "auto", **extra}
    return post(f"{CHATGPT}/backend-api/conversation", json.dumps(body).encode())


FIELDS = [
    Case("chat-tool-description", "fields", chat_with(tools=[tool(f"Zahlt an {IBAN_SPACED}")])),
    Case(
        "chat-tool-enum",
        "fields",
        chat_with(tools=[tool(empfaenger={"type": "string", "enum": [EMAIL, "buchhaltung"]})]),
    ),
    Case(
        "chat-tool-schema-description",
        "fields",
        chat_with(tools=[tool(konto={"type": "string", "description": f"Standard: {IBAN}"})]),
    ),
    Case(
        "chat-response-format",
        "fields",
        chat_with(
            response_format={
                "type": "json_schema",
                "json_schema": {
                    "name": "antwort",
                    "schema": {"type": "object", "description": f"Kontakt {EMAIL}"},
                },
            }
        ),
    ),
    Case("chat-metadata", "fields", chat_with(store=True, metadata={"kunde": IBAN_SPACED})),
    Case("chat-user", "fields", chat_with(user=EMAIL)),
    Case("chat-safety-identifier", "fields", chat_with(safety_identifier=EMAIL)),
    Case("chat-stop", "fields", chat_with(stop=[f"Konto {IBAN}"])),
    Case("chat-model", "fields", chat_with(model=f"gpt-4o-{EMAIL}")),
    Case("chat-logit-bias-key", "fields", chat_with(extra_body={"logit_bias": {CARD: 1}})),
    Case("chat-unknown-field", "fields", chat_with(extra_body={"future": {"deep": [IBAN]}})),
    Case("chat-card-as-number", "fields", chat_with(extra_body={"ref": int(CARD)})),
    Case("chat-iban-as-characters", "fields", chat_with(extra_body={"ref": list(IBAN)})),
    Case("chat-card-as-digits", "fields", chat_with(extra_body={"ref": [int(d) for d in CARD]})),
    Case("chat-key-is-data", "fields", chat_with(metadata={EMAIL: "ja"})),
    Case(
        "responses-text-format",
        "fields",
        responses_with(
            text={
                "format": {
                    "type": "json_schema",
                    "name": "antwort",
                    "schema": {"type": "object", "description": f"an {EMAIL}"},
                }
            }
        ),
    ),
    Case(
        "responses-tool-description",
        "fields",
        responses_with(
            tools=[
                {
                    "type": "function",
                    "name": "buche",
                    "description": f"Konto {IBAN_SPACED}",
                    "parameters": {"type": "object", "properties": {}},
                }
            ]
        ),
    ),
    Case("responses-safety-identifier", "fields", responses_with(safety_identifier=EMAIL)),
    Case("responses-metadata", "fields", responses_with(metadata={"iban": IBAN})),
    Case(
        "anthropic-tool-description",
        "fields",
        claude_with(
            tools=[
                {
                    "name": "buche",
                    "description": f"Überweist auf {IBAN_SPACED}",
                    "input_schema": {"type": "object", "properties": {}},
                }
            ]
        ),
    ),
    Case(
        "anthropic-input-schema",
        "fields",
        claude_with(
            tools=[
                {
                    "name": "mail",
                    "description": "Mail",
                    "input_schema": {
                        "type": "object",
                        "properties": {"an": {"type": "string", "enum": [EMAIL]}},
                    },
                }
            ]
        ),
    ),
    Case("anthropic-metadata-user", "fields", claude_with(metadata={"user_id": EMAIL})),
    Case("anthropic-stop-sequences", "fields", claude_with(stop_sequences=[IBAN])),
    Case(
        "anthropic-mcp-token",
        "fields",
        claude_with(
            extra_body={
                "mcp_servers": [
                    {
                        "type": "url",
                        "url": "https://mcp.example/sse",
                        "name": "crm",
                        "authorization_token": SECRET,
                    }
                ]
            }
        ),
        values=(SECRET,),
    ),
    Case(
        "gemini-function-description",
        "fields",
        gemini(
            tools=[
                {"functionDeclarations": [{"name": "buche", "description": f"Konto {IBAN_SPACED}"}]}
            ]
        ),
    ),
    Case(
        "gemini-response-schema",
        "fields",
        gemini(generationConfig={"responseSchema": {"type": "OBJECT", "description": EMAIL}}),
    ),
    Case("chatgpt-web-side-field", "fields", chatgpt_web(system_hints=[f"IBAN {IBAN}"])),
    Case("chatgpt-web-timezone", "fields", chatgpt_web(timezone=EMAIL)),
    Case(
        "control-sdk-tools",
        "fields",
        chat_with(tools=[tool()], metadata={"projekt": "heizung"}, user="u-4711", stop=["ENDE"]),
        expect="pass",
        marker="Bucht eine Zahlung.",
    ),
    Case(
        "control-anthropic-tools",
        "fields",
        claude_with(
            tools=[
                {
                    "name": "wetter",
                    "description": "Wetter für eine Stadt",
                    "input_schema": {"type": "object", "properties": {"stadt": {"type": "string"}}},
                }
            ],
            metadata={"user_id": "u-4711"},
        ),
        expect="pass",
        marker="Wetter für eine Stadt",
    ),
]


def request(
    method: str, url: str, body: bytes | None = None, headers: dict[str, str] | None = None
) -> Callable[[Client], int]:
    return lambda client: client.request(method, url, body=body, headers=headers)


def clean_chat_with_headers(headers: dict[str, str]) -> Callable[[Client], int]:
    return lambda client: sdk_status(
        lambda: (
            client.openai()
            .with_options(default_headers=headers)
            .chat.completions.create(model="gpt-4o-mini", messages=USER)
        )
    )


GENERIC = json.dumps({"note": f"IBAN {IBAN_SPACED}"}).encode()

OUTSIDE_BODY = [
    Case("query-get", "outside-body", request("GET", f"{OPENAI}/v1/models?note={IBAN}")),
    Case(
        "query-post-clean-body",
        "outside-body",
        post(f"{OPENAI}/v1/chat/completions?user={EMAIL}", chat_body(CLEAN)),
    ),
    Case(
        "query-percent-encoded",
        "outside-body",
        request("GET", f"{OPENAI}/v1/models?q=" + "".join(f"%{ord(c):02X}" for c in IBAN)),
    ),
    Case(
        "query-name",
        "outside-body",
        request("GET", f"{OPENAI}/v1/models?{EMAIL.replace('@', '%40')}"),
    ),
    Case("header-custom", "outside-body", clean_chat_with_headers({"x-user-note": IBAN_SPACED})),
    Case(
        "header-on-get",
        "outside-body",
        request("GET", f"{OPENAI}/v1/models", None, {"x-kunde": EMAIL}),
    ),
    Case("path-segment", "outside-body", request("GET", f"{OPENAI}/v1/files/{IBAN}")),
    Case(
        "path-segment-percent",
        "outside-body",
        request("GET", f"{OPENAI}/v1/files/" + "".join(f"%{ord(c):02X}" for c in EMAIL)),
    ),
    Case(
        "path-segments-split",
        "outside-body",
        request("GET", f"{OPENAI}/v1/files/" + "/".join(IBAN_SPACED.split())),
    ),
    Case("delete-body", "outside-body", request("DELETE", f"{OPENAI}/v1/files/f1", GENERIC, JSON)),
    Case("query-method-body", "outside-body", request("QUERY", f"{OPENAI}/v1/x", GENERIC, JSON)),
    Case("get-with-body", "outside-body", request("GET", f"{OPENAI}/v1/models", GENERIC, JSON)),
    Case("options-body", "outside-body", request("OPTIONS", f"{OPENAI}/v1/x", GENERIC, JSON)),
    Case(
        "curl-delete-body",
        "outside-body",
        lambda client: client.curl(
            "-X", "DELETE", "--data-binary", GENERIC.decode(), f"{OPENAI}/v1/assistants/a1"
        ),
    ),
    Case(
        "generic-key",
        "outside-body",
        post(f"{OPENAI}/v1/batches", json.dumps({"input": {EMAIL: True}}).encode()),
    ),
    Case(
        "generic-number",
        "outside-body",
        post(f"{OPENAI}/v1/batches", json.dumps({"card": int(CARD)}).encode()),
    ),
    Case(
        "generic-characters",
        "outside-body",
        post(f"{OPENAI}/v1/batches", json.dumps({"ref": list(IBAN)}).encode()),
    ),
    Case(
        "generic-digit-array",
        "outside-body",
        post(f"{OPENAI}/v1/batches", json.dumps({"ref": [int(d) for d in CARD]}).encode()),
    ),
    Case(
        "control-get-models",
        "outside-body",
        request("GET", f"{OPENAI}/v1/models?limit=20"),
        expect="pass",
        marker="limit=20",
    ),
    Case(
        "control-custom-header",
        "outside-body",
        clean_chat_with_headers({"x-request-note": "Wartungsfenster"}),
        expect="pass",
        marker="Wartungsfenster",
    ),
    Case(
        "control-delete",
        "outside-body",
        request("DELETE", f"{OPENAI}/v1/files/file-abc"),
        expect="pass",
        marker="file-abc",
    ),
]


def escaped(text: str) -> str:
    """Every character as a JSON \\u escape."""
    return "".join(f"\\u{ord(c):04x}" for c in text)


RAW_CHAT = b'{"model":"m","messages":[{"role":"user","content":"Konto %s"}]}'


def raw_chat(value: str) -> bytes:
    return RAW_CHAT % value.encode("ascii")


def _raw_deflate(data: bytes) -> bytes:
    compressor = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    return compressor.compress(data) + compressor.flush()


def sniffed(compress: Callable[[bytes], bytes]) -> Callable[[Client], int]:
    body = compress(chat_body(f"IBAN {IBAN_SPACED}"))
    return post(f"{OPENAI}/v1/chat/completions", body)


def encoded(codec: str, bom: bool, declare: bool) -> Callable[[Client], int]:
    body = chat_body(f"Konto {IBAN_SPACED} an {EMAIL}").decode()
    data = body.encode(codec)
    if bom:
        boms = {
            "utf-16-le": codecs.BOM_UTF16_LE,
            "utf-16-be": codecs.BOM_UTF16_BE,
            "utf-32-le": codecs.BOM_UTF32_LE,
            "utf-32-be": codecs.BOM_UTF32_BE,
            "utf-8": codecs.BOM_UTF8,
        }
        data = boms[codec] + data
    charset = codec.split("-")[0] + "-" + codec.split("-")[1] if "-" in codec else codec
    headers = {
        "content-type": f"application/json; charset={charset}" if declare else "application/json"
    }
    return post(f"{OPENAI}/v1/chat/completions", data, headers)


def deep(value: str, depth: int) -> bytes:
    inner: Any = f"Konto {value}"
    for _ in range(depth):
        inner = [inner]
    return (
        json.dumps(
            {"model": "m", "messages": [{"role": "user", "content": CLEAN}], "x": inner},
            ensure_ascii=False,
        )
        .encode()
        .replace(value.encode(), escaped(value).encode())
    )


CHAT = f"{OPENAI}/v1/chat/completions"

DECODING = [
    Case("utf16le-bom-declared", "decoding", encoded("utf-16-le", bom=True, declare=True)),
    Case("utf16be-bom-undeclared", "decoding", encoded("utf-16-be", bom=True, declare=False)),
    Case("utf16le-no-bom-declared", "decoding", encoded("utf-16-le", bom=False, declare=True)),
    Case("utf16le-no-bom-undeclared", "decoding", encoded("utf-16-le", bom=False, declare=False)),
    Case("utf32le-bom", "decoding", encoded("utf-32-le", bom=True, declare=False)),
    Case("utf32be-no-bom", "decoding", encoded("utf-32-be", bom=False, declare=False)),
    Case("utf8-bom", "decoding", encoded("utf-8", bom=True, declare=False)),
    Case("gzip-no-header", "decoding", sniffed(gzip.compress)),
    Case("zlib-no-header", "decoding", sniffed(zlib.compress)),
    Case(
        "raw-deflate-no-header",
        "decoding",
        sniffed(_raw_deflate),
    ),
    Case("brotli-no-header", "decoding", sniffed(brotli.compress)),
    Case("zstd-no-header", "decoding", sniffed(zstandard.ZstdCompressor().compress)),
    Case(
        "gzip-twice-declared-once",
        "decoding",
        lambda client: client.request(
            "POST",
            CHAT,
            body=gzip.compress(gzip.compress(chat_body(f"IBAN {IBAN}"))),
            headers={**JSON, "content-encoding": "gzip"},
        ),
    ),
    Case(
        "wrong-content-encoding",
        "decoding",
        lambda client: client.request(
            "POST",
            CHAT,
            body=gzip.compress(chat_body(f"IBAN {IBAN}")),
            headers={**JSON, "content-encoding": "br"},
        ),
    ),
    Case("raw-bom-escapes", "decoding", post(CHAT, codecs.BOM_UTF8 + raw_chat(escaped(IBAN)))),
    Case("raw-invalid-byte-escapes", "decoding", post(CHAT, raw_chat(escaped(IBAN)) + b"\xff")),
    Case(
        "raw-invalid-byte-inside",
        "decoding",
        post(CHAT, RAW_CHAT % (b"\\u0044\xff" + escaped(IBAN[1:]).encode())),
    ),
    Case("raw-trailing-garbage", "decoding", post(CHAT, raw_chat(escaped(EMAIL)) + b"}}garbage")),
    Case(
        "raw-duplicate-keys",
        "decoding",
        post(
            CHAT,
            b'{"model":"m","messages":[],"messages":[{"role":"user","content":"'
            + escaped(IBAN).encode()
            + b'"}]}',
        ),
    ),
    Case("raw-deep-nesting", "decoding", post(CHAT, deep(IBAN, 80))),
    Case(
        "raw-escaped-quotes-and-blanks",
        "decoding",
        post(CHAT, raw_chat('\\"' + "\\u0020".join(IBAN_SPACED.split()) + '\\"') + b"x"),
    ),
    Case(
        "raw-escaped-slash-email",
        "decoding",
        post(CHAT, raw_chat(EMAIL.replace(".", "\\u002e").replace("@", "\\u0040")) + b",,"),
    ),
    Case(
        "control-utf16-clean",
        "decoding",
        post(
            CHAT,
            chat_body(CLEAN).decode().encode("utf-16"),
            {"content-type": "application/json; charset=utf-16"},
        ),
        expect="pass",
        marker="Wärmepumpen",
    ),
    Case(
        "control-gzip-clean",
        "decoding",
        post(CHAT, gzip.compress(chat_body(CLEAN))),
        expect="pass",
        marker="Wärmepumpen",
    ),
]


def split_chat(*contents: str) -> bytes:
    return json.dumps(
        {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": c} for c in contents]}
    ).encode()


SPLIT = [
    Case(
        "split-messages-redacted",
        "split",
        post(CHAT, split_chat("Meine IBAN ist DE89 3704 0044", "0532 0130 00 – danke!")),
        expect="redact",
        gateway="redact",
    ),
    Case(
        "split-characters-redacted",
        "split",
        post(CHAT, split_chat(*IBAN)),
        expect="redact",
        gateway="redact",
    ),
    Case(
        # The second half is the text of an inline file: no place to put a placeholder.
        "split-into-file-blocked",
        "split",
        post(
            CHAT,
            json.dumps(
                {
                    "model": "m",
                    "messages": [
                        {
                            "role": "user",
                            "content": [
                                {"type": "text", "text": "Meine IBAN ist DE89 3704 0044"},
                                {
                                    "type": "file",
                                    "file": {
                                        "file_data": "data:text/plain;base64,"
                                        + base64.b64encode(b"0532 0130 00").decode()
                                    },
                                },
                            ],
                        }
                    ],
                }
            ).encode(),
        ),
        gateway="redact",
    ),
    Case(
        "split-metadata-values",
        "split",
        chat_with(metadata={"a": "DE89 3704 0044", "b": "0532 0130 00"}),
    ),
]

CASES = FIELDS + OUTSIDE_BODY + DECODING + SPLIT
