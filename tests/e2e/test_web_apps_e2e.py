"""End to end: the web apps' requests through a real `leitplanke proxy` subprocess, the
answers read by the reference clients' parsing (tests/answers/reference_parsers/).

Every web app host is routed by map_remote to a local fake upstream; nothing leaves
127.0.0.1. A prompt or file with an IBAN is answered by the gateway in the app's own
format (the reference parser shows the policy message) and never reaches the upstream;
the upload paths are covered: HuggingChat's base64 file parts, M365 Copilot's data URL
form, Poe's GraphQL multipart send, and Le Chat's signed-URL step, which is refused
because the file would go to a storage host the gateway never sees.
"""

from __future__ import annotations

import base64
import json
import sqlite3
import ssl
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import quote

import pytest

try:  # current SDKs are built on httpx2 (a fork of httpx); older ones on httpx
    import httpx2 as httpx
except ImportError:  # pragma: no cover
    import httpx  # type: ignore[no-redef]

from bench.fake_upstream import FakeUpstream
from bench.proxies import Gateway, start_gateway, stop_gateway
from tests.answers.reference_parsers import (
    Unreadable,
    chatgpt,
    deepseek,
    gemini,
    huggingchat,
    lechat,
    perplexity,
    poe,
)
from tests.answers.reference_parsers.common import Answer
from tests.answers.reference_parsers.copilot import pyrit_upload
from tests.extract.file_samples import SAMPLE_IBAN, pdf_bytes

pytestmark = pytest.mark.e2e

WEB_HOSTS = [
    "chatgpt.com",
    "gemini.google.com",
    "www.perplexity.ai",
    "chat.deepseek.com",
    "chat.mistral.ai",
    "poe.com",
    "huggingface.co",
    "substrate.office.com",
]
SECRET = f"Bitte überweisen an Erika Mustermann, IBAN {SAMPLE_IBAN}."
CLEAN = "Fasse bitte die Vorteile von Wärmepumpen zusammen."
GEMINI_PATH = "/_/BardChatUi/data/assistant.lamda.BardFrontendService/StreamGenerate?rt=c"
BOUNDARY = "----WebKitFormBoundaryE2eWebApps01"


@pytest.fixture(scope="module")
def gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Gateway]:
    upstream = FakeUpstream().start()
    target = f"http://127.0.0.1:{upstream.port}"
    rules = [f"map_remote=|https://{host.replace('.', r'\.')}|{target}" for host in WEB_HOSTS]
    gw = start_gateway(
        tmp_path_factory.mktemp("webapps"),
        upstream,
        [arg for rule in rules for arg in ("--set", rule)],
    )
    yield gw
    stop_gateway(gw)
    upstream.stop()


@pytest.fixture(scope="module")
def client(gateway: Gateway) -> Iterator[httpx.Client]:
    verify = ssl.create_default_context(cafile=str(gateway.ca))
    with httpx.Client(proxy=gateway.proxy_url, verify=verify, timeout=60) as c:
        yield c


def post(client: httpx.Client, url: str, body: bytes, content_type: str, **headers: str) -> Answer:
    # Like the web apps' fetch(): no Accept header unless the app sends one.
    sent = {"content-type": content_type, "accept-language": "de-DE,de;q=0.9", **headers}
    response = client.post(url, content=body, headers=sent)
    return response.status_code, dict(response.headers), response.content


def multipart(*parts: tuple[str, str | None, str | None, bytes]) -> bytes:
    """(name, filename, content type, body) per part."""
    out = b""
    for name, filename, media, data in parts:
        disposition = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename else "")
        head = f"--{BOUNDARY}\r\nContent-Disposition: {disposition}\r\n"
        head += f"Content-Type: {media}\r\n" if media else ""
        out += head.encode() + b"\r\n" + data + b"\r\n"
    return out + f"--{BOUNDARY}--\r\n".encode()


MULTIPART = f"multipart/form-data; boundary={BOUNDARY}"


def gemini_form(prompt: str) -> bytes:
    inner = json.dumps([[prompt, 0, None, None, None, None, 0], ["de"]])
    return ("f.req=" + quote(json.dumps([None, inner])) + "&at=AJvLN6Mtoken").encode()


def assert_policy_message(text: str) -> None:
    assert "Leitplanke" in text and "IBAN" in text, text
    assert SAMPLE_IBAN not in text and SAMPLE_IBAN.replace(" ", "") not in text


# (name, url, body builder, content type, extra headers, reference reader)
SENDS: list[
    tuple[str, str, Callable[[str], bytes], str, dict[str, str], Callable[[Answer], str]]
] = [
    (
        "chatgpt-v1",
        "https://chatgpt.com/backend-api/f/conversation",
        lambda p: json.dumps(
            {
                "action": "next",
                "messages": [
                    {"author": {"role": "user"}, "content": {"content_type": "text", "parts": [p]}}
                ],
                "model": "auto",
                "supported_encodings": ["v1"],
            }
        ).encode(),
        "application/json",
        {"accept": "text/event-stream"},
        chatgpt.gpt4free,
    ),
    (
        "gemini",
        f"https://gemini.google.com{GEMINI_PATH}",
        gemini_form,
        "application/x-www-form-urlencoded;charset=UTF-8",
        {},
        gemini.read_lines,
    ),
    (
        "perplexity",
        "https://www.perplexity.ai/rest/sse/perplexity_ask",
        lambda p: json.dumps({"query_str": p, "params": {"model_preference": "turbo"}}).encode(),
        "application/json",
        {"accept": "text/event-stream"},
        perplexity.perplexity_cli,
    ),
    (
        "deepseek",
        "https://chat.deepseek.com/api/v0/chat/completion",
        lambda p: json.dumps({"chat_session_id": "s-1", "prompt": p, "ref_file_ids": []}).encode(),
        "application/json",
        {},
        deepseek.gpt4free,
    ),
    (
        "deepseek-edit",
        "https://chat.deepseek.com/api/v0/chat/edit_message",
        lambda p: json.dumps({"chat_session_id": "s-1", "message_id": 1, "prompt": p}).encode(),
        "application/json",
        {},
        deepseek.foxroute,
    ),
    (
        "lechat-chat",
        "https://chat.mistral.ai/api/chat",
        lambda p: json.dumps({"mode": "create", "files": [], "content": p}).encode(),
        "application/json",
        {},
        lechat.foxroute_chat,
    ),
    (
        "huggingchat",
        "https://huggingface.co/chat/conversation/6789abcdef0123456789abcd",
        lambda p: multipart(("data", None, None, json.dumps({"inputs": p}).encode())),
        MULTIPART,
        {},
        huggingchat.shown_for_message,
    ),
]


@pytest.mark.parametrize(
    ("name", "url", "build", "media", "headers", "read"), SENDS, ids=[s[0] for s in SENDS]
)
def test_blocked_prompt_is_shown_by_the_reference_client(
    gateway: Gateway,
    client: httpx.Client,
    name: str,
    url: str,
    build: Callable[[str], bytes],
    media: str,
    headers: dict[str, str],
    read: Callable[[Answer], str],
) -> None:
    before = len(gateway.upstream.requests)
    answer = post(client, url, build(SECRET), media, **headers)
    assert answer[1].get("x-leitplanke-enforced") == "block"
    assert_policy_message(read(answer))
    assert "nicht an" in read(answer)  # German, from Accept-Language
    assert len(gateway.upstream.requests) == before  # never forwarded


@pytest.mark.parametrize(
    ("name", "url", "build", "media", "headers", "read"), SENDS, ids=[s[0] for s in SENDS]
)
def test_clean_prompt_reaches_the_app(
    gateway: Gateway,
    client: httpx.Client,
    name: str,
    url: str,
    build: Callable[[str], bytes],
    media: str,
    headers: dict[str, str],
    read: Callable[[Answer], str],
) -> None:
    before = len(gateway.upstream.requests)
    answer = post(client, url, build(CLEAN), media, **headers)
    assert "x-leitplanke-enforced" not in answer[1]
    assert len(gateway.upstream.requests) == before + 1


def test_poe_send_is_refused_with_the_message(gateway: Gateway, client: httpx.Client) -> None:
    body = {"queryName": "sendMessageMutation", "variables": {"bot": "Assistant", "query": SECRET}}
    answer = post(
        client, "https://poe.com/api/gql_POST", json.dumps(body).encode(), "application/json"
    )
    with pytest.raises(poe.SendRefused) as refused:
        poe.send(answer)
    assert_policy_message(str(refused.value))


# --- uploads -----------------------------------------------------------------------------------


def hf_file_part(
    filename: str, media: str, data: bytes
) -> tuple[str, str | None, str | None, bytes]:
    return ("files", f"base64;{filename}", media, base64.b64encode(data))


@pytest.mark.parametrize(
    ("filename", "media", "data"),
    [
        (
            "notiz.txt",
            "text/plain",
            f"Kontoinhaber Erika Mustermann\nIBAN {SAMPLE_IBAN}\n".encode(),
        ),
        ("auszug.pdf", "application/pdf", pdf_bytes([f"IBAN {SAMPLE_IBAN}"])),
    ],
)
def test_huggingchat_base64_file_with_an_iban_is_blocked(
    gateway: Gateway, client: httpx.Client, filename: str, media: str, data: bytes
) -> None:
    before = len(gateway.upstream.requests)
    body = multipart(
        hf_file_part(filename, media, data),
        ("data", None, None, json.dumps({"inputs": "Fasse die Datei zusammen."}).encode()),
    )
    answer = post(client, "https://huggingface.co/chat/conversation/6789abcdef", body, MULTIPART)
    assert answer[0] == 403
    assert_policy_message(huggingchat.shown_for_message(answer))
    assert len(gateway.upstream.requests) == before


def test_huggingchat_clean_base64_file_passes(gateway: Gateway, client: httpx.Client) -> None:
    before = len(gateway.upstream.requests)
    body = multipart(
        hf_file_part("notiz.txt", "text/plain", CLEAN.encode()),
        ("data", None, None, json.dumps({"inputs": "Fasse die Datei zusammen."}).encode()),
    )
    post(client, "https://huggingface.co/chat/conversation/6789abcdef", body, MULTIPART)
    assert len(gateway.upstream.requests) == before + 1


def m365_form(text: str) -> bytes:
    data_url = "data:text/plain;base64," + base64.b64encode(text.encode()).decode()
    fields = {"scenario": "UploadImage", "conversationId": "c-1", "FileBase64": data_url}
    return "&".join(f"{k}={quote(v, safe='')}" for k, v in fields.items()).encode()


def test_m365_data_url_upload_with_an_iban_is_blocked(
    gateway: Gateway, client: httpx.Client
) -> None:
    before = len(gateway.upstream.requests)
    answer = post(
        client,
        "https://substrate.office.com/m365Copilot/UploadFile",
        m365_form(SECRET),
        "application/x-www-form-urlencoded",
    )
    with pytest.raises(Unreadable) as failed:
        pyrit_upload(answer)
    assert_policy_message(str(failed.value))
    assert len(gateway.upstream.requests) == before
    post(
        client,
        "https://substrate.office.com/m365Copilot/UploadFile",
        m365_form(CLEAN),
        "application/x-www-form-urlencoded",
    )
    assert len(gateway.upstream.requests) == before + 1


def test_poe_multipart_send_with_an_iban_file_is_refused(
    gateway: Gateway, client: httpx.Client
) -> None:
    before = len(gateway.upstream.requests)
    operation = {
        "queryName": "sendMessageMutation",
        "variables": {"bot": "Assistant", "query": "Prüfe den Anhang", "attachments": [None]},
    }
    body = multipart(
        ("operations", None, None, json.dumps(operation).encode()),
        ("map", None, None, b'{"0": ["variables.attachments.0"]}'),
        ("0", "auszug.pdf", "application/pdf", pdf_bytes([f"IBAN {SAMPLE_IBAN}"])),
    )
    answer = post(client, "https://poe.com/api/gql_upload_POST", body, MULTIPART)
    with pytest.raises(poe.SendRefused) as refused:
        poe.send(answer)
    assert_policy_message(str(refused.value))
    assert len(gateway.upstream.requests) == before


def test_lechat_upload_is_refused_at_the_signed_url_step(
    gateway: Gateway, client: httpx.Client
) -> None:
    """The file itself would go by PUT to an Azure Blob host outside the catalog, which
    the gateway never sees: the request for that URL is refused, in tRPC's format."""
    before = len(gateway.upstream.requests)
    body = {"0": {"json": {"type": "text", "count": 1, "includeReadUrl": True}}}
    answer = post(
        client,
        "https://chat.mistral.ai/api/trpc/file.uploadFile?batch=1",
        json.dumps(body).encode(),
        "application/json",
    )
    [message] = lechat.trpc_errors(answer, calls=1)
    assert "hochgeladen" in message and "Mistral Le Chat" in message
    assert len(gateway.upstream.requests) == before
    with sqlite3.connect(gateway.db) as db:
        reasons = [row[0] for row in db.execute("select reasons from decisions")]
    assert any("unseen_upload:1:block" in (r or "") for r in reasons)


def test_other_lechat_trpc_calls_pass(gateway: Gateway, client: httpx.Client) -> None:
    before = len(gateway.upstream.requests)
    body = {"0": {"json": {"chatId": "c-1"}}}
    post(
        client,
        "https://chat.mistral.ai/api/trpc/chat.get?batch=1",
        json.dumps(body).encode(),
        "application/json",
    )
    assert len(gateway.upstream.requests) == before + 1


def test_no_raw_value_in_the_findings_store(gateway: Gateway) -> None:
    dump = "\n".join(sqlite3.connect(gateway.db).iterdump())
    assert SAMPLE_IBAN not in dump and SAMPLE_IBAN.replace(" ", "") not in dump
    assert Path(gateway.log).read_text(errors="replace").count(SAMPLE_IBAN) == 0
