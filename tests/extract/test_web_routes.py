"""The web apps' side routes and upload paths (issue 22): Le Chat's /api/chat and its
signed-URL upload step, DeepSeek's edit_message, Poe's GraphQL multipart send, M365
Copilot's data-URL upload, HuggingChat's base64 file parts — each yields exactly its
text, decoded files included (fixtures/wire, provenance in its README)."""

import base64
import json

import pytest

from extract.model import ExtractError
from extract.registry import extract, match_endpoint
from tests.extract.file_samples import SAMPLE_IBAN, docx_bytes, pdf_bytes
from tests.extract.support import (
    IBAN,
    MULTIPART,
    PNG_BYTES,
    WireCase,
    extract_wire_case,
    field,
    multipart,
    pairs,
    upload,
    wire_fixture,
)

POE_BOUNDARY = "----WebKitFormBoundaryP0e7Upl0adMulti9"


CASES: list[WireCase] = [
    (
        "poe_gql_upload.multipart",
        "poe-graphql",
        "/api/gql_upload_POST",
        f"multipart/form-data; boundary={POE_BOUNDARY}",
        "poe_upload",
        False,
        "Assistant",
        [
            ("multipart:operations[0]→variables.bot", "Assistant"),
            ("multipart:operations[0]→variables.query", "Bitte prüfe den Kontoauszug im Anhang."),
            ("multipart:operations[0]→variables.source.sourceType", "chat_input"),
            ("multipart:map[0]", '{"0": ["variables.attachments.0"]}'),
            ("multipart:#2[0].filename", "kontoauszug.txt"),
            ("multipart:#2[0]", f"Kontoinhaber: Erika Mustermann\r\nIBAN: {IBAN}\r\n"),
        ],
        (),
    ),
    (
        "lechat_chat_create.json",
        "lechat-web",
        "/api/chat",
        "application/json",
        "lechat_chat",
        True,
        None,
        [
            ("mode", "create"),
            ("files[0].type", "text"),
            ("files[0].name", "Mahnung_Mustermann.txt"),
            ("content", f"Schreibe eine Kündigung für Max Mustermann, IBAN {IBAN}."),
        ],
        (),
    ),
    (
        "deepseek_edit_message.json",
        "deepseek-web",
        "/api/v0/chat/edit_message",
        "application/json",
        "deepseek_web",
        True,
        None,
        [("prompt", f"Korrigiere: Frau Erika Mustermann, IBAN {IBAN}")],
        (),
    ),
    (
        "m365_upload_file.form",
        "copilot-ws",
        "/m365Copilot/UploadFile",
        "application/x-www-form-urlencoded",
        "m365_upload",
        False,
        None,
        [
            ("form:scenario", "UploadImage"),
            # the data URL, decoded: the file's text
            ("form:FileBase64", f"Kontoinhaber Erika Mustermann IBAN {IBAN}"),
            ("form:optionsSets", "cwcgptvsan"),
            ("form:optionsSets", "flux_v3_gptv_enable_upload_multi_image_in_turn_wo_ch"),
        ],
        (),
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_fixture_yields_exact_parts(case: WireCase) -> None:
    prompt = extract_wire_case(*case)
    assert prompt.unseen == ()


# --- Le Chat: the signed-URL step of an upload that bypasses the gateway ------------------


def test_lechat_upload_url_request_is_an_unseen_upload() -> None:
    path = "/api/trpc/file.uploadFile?batch=1"
    assert match_endpoint("lechat-web", "POST", path) == "lechat_upload"
    prompt = extract(
        "lechat_upload", wire_fixture("lechat_trpc_upload_file.json"), "application/json"
    )
    assert prompt.unseen == ("body",)
    assert pairs(prompt) == [('["0"].json.type', "text")]


@pytest.mark.parametrize("body", [b"", b"{kaputt", b"[1, 2]", b'{"0": "x"}'])
def test_lechat_upload_url_request_is_unseen_even_when_unreadable(body: bytes) -> None:
    prompt = extract("lechat_upload", body, "application/json")
    assert prompt.unseen == ("body",)


def test_other_lechat_calls_are_no_uploads() -> None:
    prompt = extract("lechat_web", wire_fixture("lechat_trpc_new_chat.json"), "application/json")
    assert prompt.unseen == ()


def test_lechat_chat_skips_ids_and_signed_urls() -> None:
    body = {
        "mode": "append",
        "chatId": "chat-123",
        "content": "Hallo Frau Müller",
        "model": "mistral-medium",
        "files": [
            {"type": "image", "url": "https://x.invalid/?sig=Max+Mustermann", "name": "a.png"}
        ],
    }
    prompt = extract("lechat_chat", json.dumps(body).encode(), "application/json")
    assert pairs(prompt) == [
        ("mode", "append"),
        ("content", "Hallo Frau Müller"),
        ("model", "mistral-medium"),
        ("files[0].type", "image"),
        ("files[0].name", "a.png"),
    ]
    assert (prompt.stream, prompt.model) == (True, "mistral-medium")


# --- HuggingChat: base64 file parts are decoded and read -------------------------------------


def b64(data: bytes) -> bytes:
    return base64.b64encode(data)


@pytest.mark.parametrize(
    ("filename", "media", "content"),
    [
        ("brief.pdf", "application/pdf", pdf_bytes([f"Bitte überweisen an {SAMPLE_IBAN}"])),
        ("brief.docx", "application/octet-stream", docx_bytes([f"IBAN {SAMPLE_IBAN}"])),
        ("notiz.txt", "text/plain", f"IBAN {SAMPLE_IBAN}".encode()),
    ],
)
def test_huggingchat_base64_parts_are_read_as_files(
    filename: str, media: str, content: bytes
) -> None:
    body = multipart(
        (upload("files", f"base64;{filename}", media), b64(content)),
        (field("data"), b'{"inputs": "Fasse zusammen", "id": null}'),
    )
    prompt = extract("huggingchat", body, MULTIPART)
    texts = dict(pairs(prompt))
    assert texts["multipart:files[0].filename"] == filename
    assert SAMPLE_IBAN in texts["multipart:files[0]"]
    assert b64(content).decode() not in " ".join(texts.values())  # never the base64 text
    assert prompt.unscanned == ()


def test_huggingchat_base64_image_is_unscanned_and_hash_parts_are_references() -> None:
    body = multipart(
        (upload("files", "base64;foto.png", "image/png"), b64(PNG_BYTES)),
        (upload("files", "hash;alt.pdf", "application/pdf"), b"9f86d081884c7d659a2feaa0c55ad015"),
        (field("data"), b'{"inputs": "Was siehst du?"}'),
    )
    prompt = extract("huggingchat", body, MULTIPART)
    assert prompt.unscanned == ("multipart:files[0]",)
    assert pairs(prompt) == [
        ("multipart:files[0].filename", "foto.png"),
        ("multipart:files[1].filename", "alt.pdf"),
        ("multipart:data[0]→inputs", "Was siehst du?"),
    ]


def test_huggingchat_base64_part_that_is_no_base64_is_scanned_as_text() -> None:
    text = f"Kein Base64: {IBAN}!"
    body = multipart((upload("files", "base64;x.txt", "text/plain"), text.encode()))
    prompt = extract("huggingchat", body, MULTIPART)
    assert ("multipart:files[0]", text) in pairs(prompt)
    assert prompt.unscanned == ("multipart:files[0]",)


def test_huggingchat_files_listed_in_the_data_json_are_decoded() -> None:
    data = {
        "inputs": "Hallo",
        "files": [
            {
                "type": "base64",
                "name": "liste.csv",
                "value": b64(IBAN.encode()).decode(),
                "mime": "text/csv",
            },
            {"type": "hash", "name": "alt.pdf", "value": "9f86d0", "mime": "application/pdf"},
        ],
    }
    body = multipart((field("data"), json.dumps(data).encode()))
    assert pairs(extract("huggingchat", body, MULTIPART)) == [
        ("multipart:data[0]→inputs", "Hallo"),
        ("multipart:data[0]→files[0].name", "liste.csv"),
        ("multipart:data[0]→files[0].value", IBAN),
        ("multipart:data[0]→files[1].name", "alt.pdf"),
    ]


def test_huggingchat_new_conversation_reads_the_preprompt_and_model() -> None:
    body = {
        "model": "meta-llama/Llama-3.3-70B-Instruct",
        "preprompt": "Du hilfst Erika Mustermann.",
    }
    prompt = extract("huggingchat", json.dumps(body).encode(), "application/json")
    assert ("preprompt", "Du hilfst Erika Mustermann.") in pairs(prompt)
    assert prompt.model == "meta-llama/Llama-3.3-70B-Instruct"


# --- M365 Copilot: the data URL in the upload form ----------------------------------------------


def test_m365_upload_as_multipart_decodes_the_data_url() -> None:
    data_url = b"data:application/pdf;base64," + b64(pdf_bytes([f"IBAN {SAMPLE_IBAN}"]))
    body = multipart(
        (field("scenario"), b"UploadFile"),
        (field("FileBase64"), data_url),
    )
    prompt = extract("m365_upload", body, MULTIPART)
    texts = dict(pairs(prompt))
    assert SAMPLE_IBAN in texts["multipart:FileBase64[0]"]
    assert texts["multipart:scenario[0]"] == "UploadFile"


def test_m365_upload_image_is_unscanned() -> None:
    body = b"FileBase64=" + b"data%3Aimage%2Fpng%3Bbase64%2C" + b64(PNG_BYTES)
    prompt = extract("m365_upload", body, "application/x-www-form-urlencoded")
    assert prompt.unscanned == ("form:FileBase64",)


@pytest.mark.parametrize("value", ["data:text/plain,kein-base64", "data:;base64"])
def test_m365_upload_with_a_broken_data_url_is_an_error(value: str) -> None:
    body = ("FileBase64=" + value.replace(":", "%3A").replace(",", "%2C")).encode()
    with pytest.raises(ExtractError) as error:
        extract("m365_upload", body, "application/x-www-form-urlencoded")
    assert "kein-base64" not in str(error.value)


def test_poe_upload_without_operations_is_an_error() -> None:
    body = multipart((upload("0", "a.txt", "text/plain"), b"Max Mustermann"))
    with pytest.raises(ExtractError):
        extract("poe_upload", body, MULTIPART)
