"""The residual walker: what an extractor leaves of a JSON body is scanned, at its path."""

from __future__ import annotations

import json
from typing import Any

import pytest

from extract.model import ExtractError
from extract.path import JSON_ROOT, ROOT
from extract.registry import extract
from extract.residual import residual
from tests.extract.support import IBAN, UUID, residual_pairs

IBAN_COMPACT = IBAN.replace(" ", "")


def pairs_of(data: Any) -> list[tuple[str, str]]:
    return [(p.location, p.text) for p in residual(data, JSON_ROOT)]


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (
            {"a": "Text", "n": 4111111111111111, "f": 0.5, "b": True, "z": None},
            [
                ("$.a", "Text"),
                ("$.n", "4111111111111111"),
                ("$.f", "0.5"),
                ("${keys}", "a, n, f, b, z"),
            ],
        ),
        ({"ref": list(IBAN_COMPACT)}, [("$.ref[0]…[21]", IBAN_COMPACT), ("${keys}", "ref")]),
        (
            {"ref": [int(d) for d in "4111111111111111"]},
            [("$.ref[0]…[15]", "4111111111111111"), ("${keys}", "ref")],
        ),
        (
            {"ref": IBAN.split()},
            [("$.ref[0]…[5]", IBAN), ("${keys}", "ref")],
        ),
        (  # a longer element ends a run; runs of one stay single parts
            [1, "lang genug", "a", "b", {"k": "x"}, 7],
            [
                ("$[0]", "1"),
                ("$[1]", "lang genug"),
                ("$[2]…[3]", "ab"),
                ("$[4].k", "x"),
                ("$[5]", "7"),
                ("${keys}", "k"),
            ],
        ),
        ({"id": UUID, "blank": "  ", "e": ""}, [("${keys}", "id, blank, e")]),
        (
            {"erika@firma.de": {"DE89370400440532013000": 1}},
            [("$[#0][#0]", "1"), ("${keys}", "erika@firma.de, DE89370400440532013000")],
        ),
        ({}, []),
    ],
    ids=[
        "scalars",
        "characters",
        "digits",
        "groups",
        "runs",
        "ignored",
        "keys-by-position",
        "empty",
    ],
)
def test_residual_parts(data: Any, expected: list[tuple[str, str]]) -> None:
    assert pairs_of(data) == expected


def test_consumed_paths_are_left_alone() -> None:
    data = {"messages": [{"role": "user", "content": "schon gelesen"}], "tool": {"input": {"a": 1}}}
    consumed = [ROOT.key("messages").index(0).key("content"), ROOT.key("tool").key("input")]
    parts = residual(data, ROOT, consumed)
    assert [(p.location, p.text) for p in parts] == [
        ("{keys}", "messages, tool, role, content, input"),  # not the dumped input's "a"
    ]


@pytest.mark.parametrize(
    ("data", "scanned"),
    [
        ({"role": "assistant", "type": "input_text"}, []),
        ({"role": "Erika Mustermann", "type": "DE89370400440532013000"}, ["$.role", "$.type"]),
        ({"role": "user1", "status": "erika@firma.de"}, ["$.role", "$.status"]),
        ({"name": "assistant"}, ["$.name"]),  # only the vocabulary fields
    ],
)
def test_vocabulary_fields_are_left_out_only_with_vocabulary_words(
    data: dict[str, str], scanned: list[str]
) -> None:
    assert [p.location for p in residual(data, JSON_ROOT)][:-1] == scanned


def test_depth_is_bounded() -> None:
    deep: Any = "x"
    for _ in range(100):
        deep = {"k": deep}
    with pytest.raises(ExtractError, match="nested too deeply"):
        residual(deep, ROOT)


def test_dedicated_extractors_get_the_residual_in_front() -> None:
    body = {
        "model": "gpt-4o",
        "messages": [{"role": "user", "content": "Hallo"}],
        "metadata": {"konto": IBAN},
        "user": "erika@firma.de",
        "max_tokens": 100,
    }
    prompt = extract("openai_chat", json.dumps(body).encode())
    assert prompt.residual == 5
    assert residual_pairs(prompt) == [
        ("model", "gpt-4o"),  # not the role "user": the API's vocabulary
        ("metadata.konto", IBAN),
        ("user", "erika@firma.de"),
        ("max_tokens", "100"),
        ("{keys}", "model, messages, metadata, user, max_tokens, role, content, konto"),
    ]
    assert [p.location for p in prompt.parts[prompt.residual :]] == ["messages[0].content"]


def test_inline_files_and_images_are_not_scanned_twice() -> None:
    body = {
        "messages": [
            {
                "role": "user",
                "content": [
                    {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBORw0K"}},
                    {
                        "type": "file",
                        "file": {
                            "filename": "a.txt",
                            "file_data": "data:text/plain;base64,SGFsbG8=",
                        },
                    },
                ],
            }
        ]
    }
    prompt = extract("openai_chat", json.dumps(body).encode())
    texts = [p.text for p in prompt.parts]
    assert "data:image/png;base64,iVBORw0K" not in texts
    assert "data:text/plain;base64,SGFsbG8=" not in texts and "Hallo" in texts


def test_form_and_multipart_web_bodies_get_no_json_residual() -> None:
    form = b"f.req=%5Bnull%2C%22%5B%5B%5C%22Hallo%5C%22%5D%5D%22%5D&at=token"
    prompt = extract("gemini_web", form, "application/x-www-form-urlencoded")
    assert prompt.residual == 0
