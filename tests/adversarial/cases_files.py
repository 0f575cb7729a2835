"""Adversarial cases: files that carry a value only outside their body text, files that
cannot be read completely, and files sent in parts (issue 19, class 5).

Each case sends one file through the gateway the way a client does -- the official
OpenAI SDK (`files.create`, `uploads.upload_file_chunked`), the Anthropic SDK's Files
API, curl multipart -- with an e-mail address or IBAN only in the place under test, or a
file the gateway cannot read completely. With the embedded default policy all of them
are blocked and nothing of them reaches the upstream; the controls pass.
test_adversarial.py also checks what the findings log recorded for them (the reason,
never a value) and that no bomb leaves the gateway slow for the next request.
"""

from __future__ import annotations

import base64
import json
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.adversarial.harness import IBAN, IBAN_SPACED, Case, Client, sdk_status
from tests.extract.file_samples import pdf_bytes
from tests.extract.hidden_archives import ARCHIVE_PLACES, UNREADABLE_FILES, zip_of
from tests.extract.hidden_documents import CLEAN, DOCUMENT_PLACES

EMAIL = "erika.mustermann@beispiel.de"  # fits an Excel sheet name (31 characters)
VALUES = (IBAN, EMAIL)


def file_case(*args: Any, values: tuple[str, ...] = VALUES, **kwargs: Any) -> Case:
    """A file case: when blocked, nothing of the file may reach the upstream (the gateway
    cannot tell a file's harmless parts from the rest)."""
    return Case(*args, values=values, forwarded="none", **kwargs)


OPENAI = "https://api.openai.com"
ANTHROPIC = "https://api.anthropic.com"
GEMINI = "https://generativelanguage.googleapis.com"
MEDIA = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "png": "image/png",
    "jpg": "image/jpeg",
}


def media(name: str) -> str:
    return MEDIA.get(name.rsplit(".", 1)[-1], "application/octet-stream")


def openai_file(name: str, build: Callable[[], bytes]) -> Callable[[Client], int]:
    """The official SDK's files.create (multipart, the file in `file`)."""

    def send(client: Client) -> int:
        upload = (name, build(), media(name))
        return sdk_status(lambda: client.openai().files.create(file=upload, purpose="assistants"))

    return send


def anthropic_file(name: str, build: Callable[[], bytes]) -> Callable[[Client], int]:
    def send(client: Client) -> int:
        upload = (name, build(), media(name))
        return sdk_status(lambda: client.anthropic().beta.files.upload(file=upload))

    return send


def curl_file(name: str, build: Callable[[], bytes]) -> Callable[[Client], int]:
    """curl -F to the OpenAI Files API, the file from a temporary directory."""

    def send(client: Client) -> int:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / name
            path.write_bytes(build())
            return client.curl(
                "-F", "purpose=assistants", "-F", f"file=@{path}", f"{OPENAI}/v1/files"
            )

    return send


def chat_file(data_url: Callable[[], str], filename: str | None = None) -> Callable[[Client], int]:
    """A chat completion with a file content part (file_data: a data URL)."""

    def send(client: Client) -> int:
        file: dict[str, str] = {"file_data": data_url()}
        if filename is not None:
            file["filename"] = filename
        content = [{"type": "text", "text": "Fasse zusammen."}, {"type": "file", "file": file}]
        messages = [{"role": "user", "content": content}]
        return sdk_status(
            lambda: client.openai().chat.completions.create(model="gpt-4o", messages=messages)
        )

    return send


def chat_image(data_url: Callable[[], str]) -> Callable[[Client], int]:
    def send(client: Client) -> int:
        part = {"type": "image_url", "image_url": {"url": data_url()}}
        messages = [{"role": "user", "content": [part]}]
        return sdk_status(
            lambda: client.openai().chat.completions.create(model="gpt-4o", messages=messages)
        )

    return send


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def uploads_in_parts(data: bytes, part_size: int) -> Callable[[Client], int]:
    """The official SDK's Uploads API: create, one request per part, complete."""

    def send(client: Client) -> int:
        return sdk_status(
            lambda: client.openai().uploads.upload_file_chunked(
                file=data,
                filename="kunden.txt",
                bytes=len(data),
                mime_type="text/plain",
                purpose="assistants",
                part_size=part_size,
            )
        )

    return send


def gemini_resumable_chunk(client: Client) -> int:
    """Google's resumable upload: start, then a chunk without "finalize" (a slice)."""
    start = {"x-goog-upload-protocol": "resumable", "x-goog-upload-command": "start"}
    metadata = json.dumps({"file": {"display_name": "bericht.txt"}}).encode()
    client.request("POST", f"{GEMINI}/upload/v1beta/files", body=metadata, headers=start)
    chunk = {"x-goog-upload-command": "upload", "x-goog-upload-offset": "0"}
    body = f"{CLEAN}\n".encode() * 200
    return client.request(
        "POST", f"{GEMINI}/upload/v1beta/files?upload_id=u1", body=body, headers=chunk
    )


def _value_for(place: str) -> str:
    return IBAN_SPACED if place.startswith(("zip", "tar", "gzip", "xz")) else EMAIL


CASES: list[Case] = []

for place, (name, builder) in sorted({**DOCUMENT_PLACES, **ARCHIVE_PLACES}.items()):
    value = _value_for(place)
    CASES.append(
        file_case(
            f"files: {place}",
            "outside-body",
            openai_file(name, lambda b=builder, v=value: b(v)),
            values=(value,),
        )
    )

for case, (name, builder, why) in sorted(UNREADABLE_FILES.items()):
    CASES.append(
        file_case(f"files: unreadable, {case} ({why})", "unreadable", openai_file(name, builder))
    )

CASES += [
    # the file's name is the only place the value is in
    file_case(
        "files: multipart file name",
        "file-name",
        openai_file(f"Kündigung {EMAIL}.pdf", lambda: pdf_bytes([CLEAN])),
        values=(EMAIL,),
    ),
    file_case(
        "files: file name via curl",
        "file-name",
        curl_file(f"Gehalt_{IBAN}.txt", lambda: CLEAN.encode()),
        values=(IBAN,),
    ),
    file_case(
        "files: data URL name= parameter",
        "file-name",
        chat_file(lambda: f"data:text/plain;name={EMAIL};base64,{b64(CLEAN.encode())}"),
        values=(EMAIL,),
    ),
    file_case(
        "files: filename field of a chat file part",
        "file-name",
        chat_file(lambda: f"data:application/pdf;base64,{b64(pdf_bytes([CLEAN]))}", EMAIL + ".pdf"),
        values=(EMAIL,),
    ),
    # what a file says it is does not decide how it is read
    file_case(
        "files: a PDF sent as data:image/png",
        "declared-type",
        chat_image(lambda: f"data:image/png;base64,{b64(pdf_bytes([f'IBAN {IBAN_SPACED}']))}"),
        values=(IBAN_SPACED,),
    ),
    file_case(
        "files: a zip in a chat file part",
        "archive",
        chat_file(lambda: f"data:application/zip;base64,{b64(zip_of({'a.txt': EMAIL.encode()}))}"),
        values=(EMAIL,),
    ),
    file_case(
        "files: Anthropic Files API, a value in a zip member",
        "archive",
        anthropic_file("daten.zip", lambda: zip_of({"kunden.csv": f"iban\n{IBAN}\n".encode()})),
        values=(IBAN,),
    ),
    file_case(
        "files: Anthropic Files API, an encrypted PDF",
        "unreadable",
        anthropic_file(*UNREADABLE_FILES["an encrypted pdf"][:2]),
    ),
    file_case(
        "files: curl, a 10,001-member zip",
        "unreadable",
        curl_file(*UNREADABLE_FILES["10,001 zip members"][:2]),
    ),
    # files uploaded in parts: a part alone cannot be checked
    file_case(
        "files: Uploads API parts of a clean file",
        "upload-parts",
        uploads_in_parts(f"{CLEAN}\n".encode() * 20, part_size=256),
    ),
    file_case(
        "files: Uploads API, the value in the second part",
        "upload-parts",
        uploads_in_parts(f"{CLEAN}\n".encode() * 8 + f"IBAN {IBAN}\n".encode(), part_size=200),
        values=(IBAN,),
    ),
    file_case(
        "files: Uploads API, one part holding the whole file",
        "upload-parts",
        uploads_in_parts(f"{CLEAN}\n".encode(), part_size=1024),
    ),
    file_case("files: Gemini resumable upload chunk", "upload-parts", gemini_resumable_chunk),
    # controls: clean files pass
    file_case(
        "files: control, a clean PDF",
        "control",
        openai_file("bericht.pdf", lambda: pdf_bytes(["Kontrollbericht Wärmepumpen"])),
        expect="pass",
        marker="file",
    ),
    file_case(
        "files: control, a clean zip",
        "control",
        openai_file("daten.zip", lambda: zip_of({"liesmich.txt": b"Kontrolle"})),
        expect="pass",
        marker="liesmich.txt",
    ),
]

CASES.append(
    file_case(
        "files: Uploads API create, an address in the file name",
        "file-name",
        lambda client: sdk_status(
            lambda: client.openai().uploads.create(
                bytes=10, filename=f"{EMAIL}.pdf", mime_type="application/pdf", purpose="assistants"
            )
        ),
        values=(EMAIL,),
    )
)
