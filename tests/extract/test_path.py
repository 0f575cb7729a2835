"""Structured paths render as the location strings the findings log keeps."""

from __future__ import annotations

import pytest

from extract.path import BODY, JSON_ROOT, ROOT, Path

FIELD = ROOT.mark("form", "form:")


@pytest.mark.parametrize(
    ("path", "location"),
    [
        (
            ROOT.key("messages").index(1).key("content").index(0).key("text"),
            "messages[1].content[0].text",
        ),
        (ROOT.key("0", 0, "quoted").key("json").key("content"), '["0"].json.content'),
        (ROOT.key("prompt").key("variables").key("kunde", 1, "ordinal"), "prompt.variables[1]"),
        (JSON_ROOT.key("q").key("max@example.org", 0, "position"), "$.q[#0]"),
        (JSON_ROOT.index(3), "$[3]"),
        (BODY, "body"),
        (ROOT.mark("form", "form").key("q"), "form.q"),
        (
            ROOT.mark("part", "multipart").key("upload").mark("content", ".content"),
            "multipart.upload.content",
        ),
        (
            FIELD.key("f.req", 0, "bare").index(1).mark("string_json", "→").index(0).index(0),
            "form:f.req[1]→[0][0]",
        ),
        (
            ROOT.mark("part", "multipart:data").index(0).mark("string_json", "→").key("inputs"),
            "multipart:data[0]→inputs",
        ),
        (ROOT.key("input").index(0).key("file_data").mark("file"), "input[0].file_data"),
        (ROOT.mark("message", "send").key("content").index(0).key("text"), "send.content[0].text"),
        (ROOT, ""),
    ],
)
def test_paths_render_as_locations(path: Path, location: str) -> None:
    assert str(path) == location


def test_marks_name_what_is_no_json_step() -> None:
    assert JSON_ROOT.key("a").marks() == {"json"}
    assert FIELD.key("f.req", 0, "bare").mark("string_json", "→").marks() == {
        "form",
        "string_json",
    }
    assert ROOT.key("a").index(0).marks() == set()
    assert not ROOT and ROOT.key("a")
