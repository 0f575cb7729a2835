"""Adversarial cases combining the classes of issue 19 (second round), the request side:
header names and headers named like ignored ones, repeated query parameters, duplicate
JSON keys, NDJSON, GET with a body, Bedrock Converse documents, values behind 300 KB
lines, a stuck-worker attempt followed by a prompt that must be answered, and controls
(a browser's and an SDK's own headers, lists of years) that must pass.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable

from tests.adversarial.cases_combined import (
    CHAT,
    CLEAN,
    EMAIL,
    IBAN,
    IBAN_SPACED,
    NAME,
    OPENAI,
    PHONE,
    b64,
    bedrock_converse,
    chat,
    raw,
    with_headers,
)
from tests.adversarial.harness import Case, Client, chat_body

# --- headers and request shapes ---------------------------------------------------------

HEADERS = [
    Case(
        "combined: IBAN as a header name",
        "header-name",
        with_headers({f"x-{IBAN}": "1"}),
        values=(IBAN,),
    ),
    *(
        Case(
            f"combined: value in an ignored-looking header {name}",
            "ignored-header",
            with_headers({name: f"Konto {IBAN_SPACED}"}),
            values=(IBAN,),
        )
        for name in (
            "accept-notiz",
            "if-notiz",
            "sec-ch-notiz",
            "x-stainless-notiz",
            "x-forwarded-notiz",
            "x-request-id",
        )
    ),
    Case(
        "combined: parameters of the content type",
        "framing-header",
        raw("POST", CHAT, chat_body(CLEAN), {"content-type": f"application/json; note={IBAN}"}),
        values=(IBAN,),
    ),
    Case(
        "combined: an IBAN in an x-forwarded-for list",
        "hop-header",
        with_headers({"x-forwarded-for": f"10.0.0.1, {IBAN_SPACED}"}),
        values=(IBAN,),
    ),
    Case(
        "combined: value in a traceparent that is no traceparent",
        "ignored-header",
        with_headers({"traceparent": f"00-{EMAIL}"}),
        values=(EMAIL,),
    ),
]


def multipart_raw(disposition: str, content: bytes) -> Callable[[Client], int]:
    boundary = "----leitplanke-shapes"
    body = (
        (
            f"--{boundary}\r\nContent-Disposition: form-data; {disposition}\r\n"
            "Content-Type: text/plain\r\n\r\n"
        ).encode()
        + content
        + f"\r\n--{boundary}--\r\n".encode()
    )
    headers = {"content-type": f"multipart/form-data; boundary={boundary}"}
    return raw("POST", f"{OPENAI}/v1/files", body, headers)


SHAPES = [
    Case(
        "combined: the e-mail as a multipart field name",
        "multipart",
        multipart_raw(f'name="{EMAIL}"', CLEAN.encode()),
        values=(EMAIL,),
    ),
    Case(
        "combined: the IBAN in an RFC 5987 filename*",
        "multipart",
        multipart_raw(
            "name=\"file\"; filename*=UTF-8''Konto%20" + IBAN_SPACED.replace(" ", "%20") + ".txt",
            CLEAN.encode(),
        ),
        values=(IBAN,),
    ),
    Case(
        "combined: an XML body with the value in an attribute",
        "body-format",
        raw(
            "POST",
            CHAT,
            f'<?xml version="1.0"?><req><msg kunde="{EMAIL}">Hallo</msg></req>',
            {"content-type": "application/xml"},
        ),
        values=(EMAIL,),
    ),
    Case(
        "combined: a protobuf body with the value as a string field",
        "body-format",
        raw(
            "POST",
            "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.0-flash:generateContent",
            b"\x0a\x2a\x0a\x28" + f"Konto {IBAN_SPACED}".encode()[:40],
            {"content-type": "application/x-protobuf"},
        ),
        values=(IBAN,),
    ),
    Case(
        "combined: duplicate messages key, the last one carries the value",
        "duplicate-keys",
        raw(
            "POST",
            CHAT,
            '{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Hallo"}],'
            f'"messages":[{{"role":"user","content":"IBAN {IBAN_SPACED}"}}]}}',
        ),
        values=(IBAN,),
    ),
    Case(
        "combined: duplicate content key, the first one carries the value",
        "duplicate-keys",
        raw(
            "POST",
            CHAT,
            '{"model":"gpt-4o-mini","messages":[{"role":"user",'
            f'"content":"IBAN {IBAN_SPACED}","content":"Hallo"}}]}}',
        ),
        values=(IBAN,),
    ),
    Case(
        "combined: NDJSON body (batch lines)",
        "ndjson",
        raw(
            "POST",
            f"{OPENAI}/v1/files",
            json.dumps({"custom_id": "1", "body": {"messages": [{"content": CLEAN}]}})
            + "\n"
            + json.dumps({"custom_id": "2", "body": {"messages": [{"content": f"Mail {EMAIL}"}]}})
            + "\n",
            {"content-type": "application/x-ndjson"},
        ),
        values=(EMAIL,),
    ),
    Case(
        "combined: GET with a chat body",
        "method",
        raw("GET", CHAT, chat_body(f"IBAN {IBAN_SPACED}")),
        values=(IBAN,),
    ),
    Case(
        "combined: Bedrock Converse text document",
        "bedrock",
        bedrock_converse(
            [
                {"text": "Fasse das Dokument zusammen."},
                {
                    "document": {
                        "format": "txt",
                        "name": "notiz",
                        "source": {"bytes": b64(f"Kunde zahlt per IBAN {IBAN_SPACED}")},
                    }
                },
            ]
        ),
        values=(IBAN,),
    ),
    Case(
        "combined: Bedrock Converse, the value in the document's name",
        "bedrock",
        bedrock_converse(
            [
                {"text": "Fasse das Dokument zusammen."},
                {
                    "document": {
                        "format": "txt",
                        "name": NAME + " " + EMAIL,
                        "source": {"bytes": b64(CLEAN)},
                    }
                },
            ]
        ),
        values=(EMAIL,),
    ),
]

# --- after a long line ------------------------------------------------------------------


def after_dates(value: str, kilobytes: int) -> Callable[[Client], int]:
    filler = "Termin am 12.03.2024, " * (kilobytes * 1024 // 22)
    return chat(filler + value)


LONG = [
    Case(
        "combined: an e-mail after 300 KB of dates",
        "long-line",
        after_dates(f"Mail {EMAIL}", 300),
        values=(EMAIL,),
    ),
    Case(
        "combined: a phone number after 300 KB of dates",
        "long-line",
        after_dates(f"Tel. {PHONE}", 300),
        values=(PHONE,),
    ),
    Case(
        "combined: a phone number after 300 KB of bare dates",
        "long-line",
        chat("12.03.2024 " * (300 * 1024 // 11) + f"Tel. {PHONE}"),
        values=(PHONE,),
    ),
    Case(
        "combined: an IBAN after 300 KB without a blank",
        "long-line",
        chat("x" * 300_000 + f" {IBAN}"),
        values=(IBAN,),
    ),
]


def stuck_then_prompt(client: Client) -> int:
    """A prompt built to be slow (a megabyte of number-dense text), then a clean one from
    another thread's point of view: the clean one is answered without waiting for it."""
    slow = "12.03.2024 10.0.0.1 " * 50_000
    status = chat(slow)(client)
    assert status in (200, 403)
    started = time.monotonic()
    answered = chat(CLEAN)(client)
    assert time.monotonic() - started < 30, "the clean prompt waited for the slow one"
    return answered


CONTROLS = [
    Case(
        "combined: control, lists and columns of years, an order table",
        "control",
        chat(
            "Jahre 2020, 2021, 2022, 2023\n2024\n2025\n2026\n2027\n"
            "| Bestellung | Menge |\n| 4711 | 12 |\n| 0815 | 3 | Kontrolle-Jahre"
        ),
        expect="pass",
        marker="Kontrolle-Jahre",
    ),
    Case(
        "combined: control, a version number and a date with separators",
        "control",
        chat("Version 1.2.3/4.5.6 vom 12.03.2024, Ticket 2024-0815"),
        expect="pass",
        marker="Ticket 2024-0815",
    ),
    Case(
        "combined: control, clean headers of a browser",
        "control",
        with_headers(
            {
                "user-agent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 "
                "(KHTML, like Gecko) Chrome/131.0.6778.85 Safari/537.36",
                "accept-language": "de-DE,de;q=0.9,en;q=0.8",
                "referer": "https://chatgpt.com/c/6752a1b2-aaaa-4bbb-8ccc-123456789abc",
                "sec-ch-ua": '"Chromium";v="131", "Not_A Brand";v="24"',
                "x-request-id": "req_8f3a2b1c9d0e4f5a6b7c8d9e0f1a2b3c",
                "traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
                "x-forwarded-for": "10.1.2.3, 2001:db8::1",
                "origin": "https://chatgpt.com",
                "oai-language": "de-DE",
                "x-openai-target-path": "/backend-api/conversation",
            }
        ),
        expect="pass",
        marker="Wärmepumpen",
    ),
    Case(
        "combined: control, a stuck-worker attempt then a clean prompt",
        "availability",
        stuck_then_prompt,
        expect="pass",
        marker=CLEAN,
    ),
]

CASES = HEADERS + SHAPES + LONG + CONTROLS
