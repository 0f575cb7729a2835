"""Requests that carry a slice of a file are unreadable, whatever their bytes show."""

from __future__ import annotations

import pytest

from extract.model import Prompt, TextPart, Unreadable
from extract.path import BODY, ROOT
from extract.upload_slices import as_slice, is_upload_slice


@pytest.mark.parametrize(
    ("method", "path", "headers", "expected"),
    [
        # OpenAI Uploads API: parts are slices; create and complete carry no content
        ("POST", "/v1/uploads/upload_abc/parts", {}, True),
        ("POST", "/v1//uploads/upload_abc/parts/", {}, True),
        ("POST", "/api/openai/v1/uploads/upload_abc/parts?x=1", {}, True),
        ("POST", "/v1/uploads", {}, False),
        ("POST", "/v1/uploads/upload_abc/complete", {}, False),
        ("GET", "/v1/uploads/upload_abc/parts", {}, False),
        # Google resumable uploads: a chunk, or the last chunk at an offset
        ("POST", "/upload/v1beta/files?upload_id=u", {"x-goog-upload-command": "upload"}, True),
        (
            "POST",
            "/upload/v1beta/files?upload_id=u",
            {"x-goog-upload-command": "upload, finalize", "x-goog-upload-offset": "8388608"},
            True,
        ),
        (
            "POST",
            "/upload/v1beta/files?upload_id=u",
            {"x-goog-upload-command": "upload, finalize", "x-goog-upload-offset": "0"},
            False,
        ),
        ("POST", "/upload/v1beta/files", {"x-goog-upload-command": "start"}, False),
        # Content-Range: only a range that covers the whole file is the whole file
        ("PUT", "/f", {"content-range": "bytes 0-99/100"}, False),
        ("PUT", "/f", {"content-range": "bytes 0-49/100"}, True),
        ("PUT", "/f", {"content-range": "bytes 50-99/100"}, True),
        ("PUT", "/f", {"content-range": "bytes 0-49/*"}, True),
        # Azure Blob blocks, S3 multipart parts
        ("PUT", "/file-abc?comp=block&blockid=AAAA&sig=x", {}, True),
        ("PUT", "/file-abc?comp=blocklist", {}, False),
        ("PUT", "/key?partNumber=2&uploadId=xyz", {}, True),
        ("PUT", "/file-abc?se=2026&sig=x", {}, False),
    ],
)
def test_is_upload_slice(method: str, path: str, headers: dict[str, str], expected: bool) -> None:
    assert is_upload_slice(method, path, headers) is expected


def test_a_slice_keeps_its_text_and_is_one_unreadable_part_of_a_file() -> None:
    where = ROOT.mark("part", "multipart").key("data")
    prompt = Prompt(
        api="generic",
        parts=(TextPart(where, "IBAN DE89 3704 0044 0532 0130 00"),),
        stream=False,
        model=None,
        unscanned=("multipart.data",),
        unreadable=(Unreadable(where, "corrupt"),),
    )
    sliced = as_slice(prompt)
    assert sliced.parts == prompt.parts
    assert sliced.unscanned == ()
    assert sliced.unreadable == (Unreadable(BODY, "part_of_file"),)
