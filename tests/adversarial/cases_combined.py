"""Adversarial cases that combine the classes of issue 19 (an independent second round),
the text side: a value split across messages *and* obfuscated, identifiers with any
separator, encodings inside encodings (base64 in JSON in a multipart part, gzip in
base64, percent-encoding three times, entities in entities), look-alike characters of
more scripts, decoration a reader looks through, German identifiers, names and health
data. The request side (headers, request shapes, long lines, availability) is in
cases_combined_requests.py, which shares the helpers here.

Every case sends through the real gateway (official SDKs where a client would use one,
httpx otherwise) to the recording upstream; the controls pass.
"""

from __future__ import annotations

import base64
import gzip
import json
from collections.abc import Callable
from typing import Any

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
BEDROCK = "https://bedrock-runtime.eu-central-1.amazonaws.com"
CHAT = f"{OPENAI}/v1/chat/completions"
JSON = {"content-type": "application/json"}
CLEAN = "Fasse die Vorteile von Wärmepumpen zusammen."
TAX_ID = "86 095 742 719"  # a valid Steuer-IdNr (check digit), fictitious
PHONE = "0171 2345678"
NAME = "Klaus Becker"
GROUPS = IBAN_SPACED.split()


def b64(data: str | bytes) -> str:
    return base64.b64encode(data.encode() if isinstance(data, str) else data).decode()


def chat(*contents: str) -> Callable[[Client], int]:
    """The official SDK's chat completion, one user message per content."""
    messages = [{"role": "user", "content": c} for c in contents]
    return lambda client: sdk_status(
        lambda: client.openai().chat.completions.create(model="gpt-4o-mini", messages=messages)
    )


def raw(
    method: str, url: str, body: bytes | str | None, headers: dict[str, str] | None = None
) -> Callable[[Client], int]:
    data = body.encode() if isinstance(body, str) else body
    return lambda client: client.request(method, url, body=data, headers=headers or JSON)


def with_headers(headers: dict[str, str]) -> Callable[[Client], int]:
    """A clean chat completion with extra headers (httpx: the SDK would add its own)."""
    return raw("POST", CHAT, chat_body(CLEAN), {**JSON, **headers})


def separated(value: str, separator: str, size: int = 4) -> str:
    return separator.join(value[i : i + size] for i in range(0, len(value), size))


def digits_of(script_zero: int, value: str) -> str:
    return "".join(chr(script_zero + int(c)) if c.isdigit() else c for c in value)


def multipart(fields: dict[str, str], file: tuple[str, bytes]) -> tuple[bytes, dict[str, str]]:
    boundary = "----leitplanke-adversarial"
    out = b""
    for name, value in fields.items():
        out += f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
        out += value.encode() + b"\r\n"
    out += (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
        f'filename="{file[0]}"\r\nContent-Type: text/plain\r\n\r\n'
    ).encode()
    out += file[1] + f"\r\n--{boundary}--\r\n".encode()
    return out, {"content-type": f"multipart/form-data; boundary={boundary}"}


def upload_with_fields(**fields: str) -> Callable[[Client], int]:
    body, headers = multipart({"purpose": "assistants", **fields}, ("notiz.txt", CLEAN.encode()))
    return raw("POST", f"{OPENAI}/v1/files", body, headers)


def bedrock_converse(content: list[dict[str, Any]]) -> Callable[[Client], int]:
    body = {"messages": [{"role": "user", "content": content}]}
    url = f"{BEDROCK}/model/anthropic.claude-3-5-sonnet-20240620-v1:0/converse"
    return raw("POST", url, json.dumps(body))


# --- split and obfuscated at once -------------------------------------------------------

SPLIT = [
    Case(
        "combined: split across messages, a zero-width space in each half",
        "split+normalise",
        chat(f"Konto {GROUPS[0]} 37\u200b04 00", "\u200b44 0532 0130 00 bitte prüfen"),
        values=(IBAN,),
    ),
    Case(
        "combined: split across content parts, fullwidth digits in the second",
        "split+normalise",
        lambda client: sdk_status(
            lambda: client.openai().chat.completions.create(
                model="gpt-4o-mini",
                messages=[
                    {
                        "role": "user",
                        "content": [
                            {"type": "text", "text": "IBAN DE89 3704 0044"},
                            {"type": "text", "text": " ０５３２ ０１３０ ００"},
                        ],
                    }
                ],
            )
        ),
        values=(IBAN,),
    ),
    Case(
        "combined: e-mail split across messages, [at] in the first",
        "split+normalise",
        chat("Schreib an erika.mustermann [at]", "beispiel-firma [dot] de eine Mahnung"),
        values=(EMAIL,),
    ),
    Case(
        "combined: IBAN split across repeated query parameters",
        "split+outside-body",
        raw("GET", f"{OPENAI}/v1/models?n=DE89+3704+0044&n=0532+0130+00", None),
        values=(IBAN,),
    ),
]

# --- identifiers with any separator -----------------------------------------------------

SEPARATORS = {
    "slashes": "/",
    "colons": ":",
    "commas": ",",
    "tabs": "\t",
    "line breaks": "\n",
    "en dashes": "\u2013",
    "non-breaking hyphens": "\u2011",
    "mixed": None,
}


def _mixed(value: str) -> str:
    groups = [value[i : i + 4] for i in range(0, len(value), 4)]
    seps = ["/", ".", " - ", "_", ":"]
    return "".join(
        g + (seps[i % len(seps)] if i < len(groups) - 1 else "") for i, g in enumerate(groups)
    )


IDENTIFIERS = [
    Case(
        f"combined: IBAN with {label}",
        "separators",
        chat(f"Überweise auf {separated(IBAN, sep) if sep is not None else _mixed(IBAN)}"),
        values=(IBAN,),
    )
    for label, sep in SEPARATORS.items()
] + [
    Case(
        "combined: card number with slashes",
        "separators",
        chat(f"Karte {separated(CARD, '/')} bitte belasten"),
        values=(CARD,),
    ),
    Case(
        "combined: Steuer-IdNr with slashes and health data",
        "separators",
        chat(f"Steuer-ID {TAX_ID.replace(' ', '/')}: Diagnose Depression, bitte Antrag"),
        values=(TAX_ID,),
    ),
]

# --- encodings inside encodings ---------------------------------------------------------

ENCODINGS = [
    Case(
        "combined: short base64 of an e-mail",
        "base64",
        chat(f"Kontakt: {b64('e.m@bsp-firma.de')}"),
        values=("e.m@bsp-firma.de",),
    ),
    Case("combined: base64 of an IBAN", "base64", chat(f"Konto {b64(IBAN)}"), values=(IBAN,)),
    Case(
        "combined: gzip inside base64",
        "base64+compression",
        chat("Daten: " + b64(gzip.compress(f"Konto {IBAN_SPACED}".encode(), mtime=0))),
        values=(IBAN,),
    ),
    Case(
        "combined: base64 in a JSON string in a multipart field",
        "base64+multipart",
        upload_with_fields(meta=json.dumps({"notiz": b64(f"Bitte an {EMAIL}")})),
        values=(EMAIL,),
    ),
    Case(
        "combined: percent-encoded three times in the query",
        "percent",
        raw("GET", f"{OPENAI}/v1/models?q=" + EMAIL.replace("@", "%252540"), None),
        values=(EMAIL,),
    ),
    Case(
        "combined: HTML entities inside HTML entities inside HTML entities",
        "entities",
        chat("".join(f"&amp;amp;#x{ord(c):x};" for c in EMAIL)),
        values=(EMAIL,),
    ),
    Case(
        "combined: decimal HTML entities in a Claude system prompt",
        "entities",
        lambda client: sdk_status(
            lambda: client.anthropic().messages.create(
                model="claude-test",
                max_tokens=50,
                system="".join(f"&#{ord(c)};" for c in IBAN),
                messages=[{"role": "user", "content": CLEAN}],
            )
        ),
        values=(IBAN,),
    ),
    Case(
        "combined: JavaScript \\x escapes",
        "escapes",
        chat(EMAIL.replace("@", "\\x40").replace(".", "\\x2e")),
        values=(EMAIL,),
    ),
    Case(
        "combined: form-urlencoded field holding JSON with a base64 value",
        "form+json+base64",
        raw(
            "POST",
            f"{OPENAI}/v1/chat/completions",
            "payload=" + json.dumps({"messages": [{"content": b64(f"IBAN {IBAN}")}]}),
            {"content-type": "application/x-www-form-urlencoded"},
        ),
        values=(IBAN,),
    ),
    Case(
        "combined: UTF-16 body with a Greek homoglyph in the IBAN",
        "decoding+homoglyph",
        raw(
            "POST",
            CHAT,
            chat_body("IBAN D\u039589 3704 0044 0532 0130 00").decode().encode("utf-16"),
            {"content-type": "application/json; charset=utf-16"},
        ),
        values=(IBAN,),
    ),
]

# --- look-alikes of more scripts ----------------------------------------------------------

LOOKALIKES = [
    Case(
        "combined: e-mail with Armenian o and Greek alpha",
        "homoglyph",
        chat("Mail an erika.musterm\u03b1nn@beispiel-firm\u0561.de".replace("o", "\u0585")),
        values=(EMAIL,),
    ),
    Case(
        "combined: IBAN with Latin small capitals",
        "homoglyph",
        chat("IBAN \u1d05\u1d07" + IBAN[2:]),
        values=(IBAN,),
    ),
    Case(
        "combined: IBAN in Arabic-Indic digits",
        "digits",
        chat("IBAN DE" + digits_of(0x660, IBAN[2:])),
        values=(IBAN,),
    ),
    Case(
        "combined: IBAN in Devanagari digits, grouped",
        "digits",
        chat("IBAN " + digits_of(0x966, IBAN_SPACED)),
        values=(IBAN,),
    ),
    Case(
        "combined: IBAN in mathematical sans-serif digits",
        "homoglyph",
        chat("IBAN DE" + digits_of(0x1D7E2, IBAN[2:])),
        values=(IBAN,),
    ),
    Case(
        "combined: e-mail with a quoted local part",
        "e-mail",
        chat('Schreib an "erika.mustermann"@beispiel-firma.de'),
        values=("beispiel-firma.de",),
    ),
]

# --- decoration a reader looks through ---------------------------------------------------

DECORATION = [
    Case(
        "combined: IBAN in Markdown code spans",
        "separators",
        chat("Konto: " + " ".join(f"`{g}`" for g in GROUPS)),
        values=(IBAN,),
    ),
    Case(
        "combined: IBAN in table cells",
        "separators",
        chat("| " + " | ".join(GROUPS) + " |"),
        values=(IBAN,),
    ),
    Case(
        "combined: IBAN struck through",
        "marks",
        chat("IBAN " + "".join(c + "\u0336" for c in IBAN)),
        values=(IBAN,),
    ),
    Case(
        "combined: e-mail underlined with combining marks",
        "marks",
        chat("".join(c + "\u0332" for c in EMAIL)),
        values=(EMAIL,),
    ),
    Case(
        "combined: IBAN in keycap digits",
        "marks",
        chat("IBAN DE" + "".join(c + "\ufe0f\u20e3" for c in IBAN[2:])),
        values=(IBAN,),
    ),
    Case(
        "combined: IBAN's country as a flag",
        "letter-like",
        chat("IBAN \U0001f1e9\U0001f1ea" + IBAN[2:]),
        values=(IBAN,),
    ),
    Case(
        "combined: e-mail with ideographic full stops",
        "letter-like",
        chat(EMAIL.replace(".", "\u3002")),
        values=(EMAIL,),
    ),
    Case(
        "combined: base64 of UTF-16 (PowerShell's -EncodedCommand)",
        "base64",
        chat("powershell -enc " + b64(f"Send-Mail {EMAIL}".encode("utf-16-le"))),
        values=(EMAIL,),
    ),
]

# --- German identifiers, names, health --------------------------------------------------

GERMAN = [
    Case(
        "combined: Steuer-IdNr, phone and a diagnosis in one prompt",
        "personal+special",
        chat(f"Herr {NAME}, Steuer-ID {TAX_ID}, Tel. {PHONE}, leidet an Depression."),
        values=(TAX_ID, PHONE),
    ),
    Case(
        "combined: a name with health data, zero-width inside the diagnosis",
        "special+normalise",
        chat("Frau Petra Schneider wurde wegen Schizo\u200bphrenie stationär behandelt."),
        values=("Schizophrenie",),
    ),
    Case(
        "combined: phone number in mathematical digits",
        "digits",
        chat("Ruf an: " + digits_of(0x1D7CE, "+49 171 2345678")),
        values=("1712345678",),
    ),
]


CASES = SPLIT + IDENTIFIERS + ENCODINGS + LOOKALIKES + DECORATION + GERMAN
