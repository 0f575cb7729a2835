"""The Guard checks the whole request: URL, query and headers of every method, bodies of
any method, bodies whose encoding only their bytes show."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.proxy_addon.test_guard import (
    EMAIL,
    IBAN,
    REDACT_POLICY,
    Harness,
    chat,
    flow_for,
    guard_with_policy,
    running_guard,
)

CLEAN = "Fasse die Vorteile von Wärmepumpen zusammen."


@pytest.fixture
def harness(tmp_path: Path) -> Iterator[Harness]:
    with running_guard(tmp_path) as harness:
        yield harness


@pytest.fixture
def redact_harness(tmp_path: Path) -> Iterator[Harness]:
    with guard_with_policy(tmp_path, "redact.yaml", REDACT_POLICY) as harness:
        yield harness


async def test_a_get_with_data_in_its_query_is_blocked_and_recorded(harness: Harness) -> None:
    flow = await harness.send(
        flow_for("api.openai.com", f"/v1/models?note={IBAN.replace(' ', '%20')}", b"", "GET")
    )
    assert flow.response is not None and flow.response.status_code == 403
    assert harness.rows("select api, action from decisions") == [("generic", "block")]
    assert harness.rows("select entity_type, location from findings") == [
        ("IBAN_CODE", "url.query.note:5-32")
    ]


async def test_a_clean_get_passes_and_is_no_prompt(harness: Harness) -> None:
    flow = await harness.send(flow_for("api.openai.com", "/v1/models?limit=20", b"", "GET"))
    delete = await harness.send(
        flow_for("api.openai.com", "/v1/files/file-abc", b"", "DELETE", x_trace="abc")
    )
    assert flow.response is None and delete.response is None
    assert harness.rows("select count(*) from decisions") == [(0,)]


async def test_a_path_segment_and_a_custom_header_are_scanned(harness: Harness) -> None:
    path = await harness.send(
        flow_for("api.openai.com", "/v1/files/" + EMAIL.replace("@", "%40"), b"", "GET")
    )
    header = await harness.send(
        flow_for("api.openai.com", "/v1/chat/completions", chat(CLEAN), x_user_note=IBAN)
    )
    assert path.response is not None and header.response is not None
    locations = [row[0].split(":")[0] for row in harness.rows("select location from findings")]
    assert locations == ["url.path", "header.x-user-note"]


async def test_credentials_and_sdk_headers_are_not_prompts(harness: Harness) -> None:
    flow = await harness.send(
        flow_for(
            "api.openai.com",
            "/v1/chat/completions",
            chat(CLEAN),
            authorization="Bearer sk-proj-" + "A1b2C3d4E5f6G7h8J9k0L1m2N3p4Q5r6S7t8U9v0W1x2",
            x_stainless_os="Linux",
        )
    )
    assert flow.response is None


@pytest.mark.parametrize("method", ["DELETE", "QUERY", "GET", "OPTIONS"])
async def test_a_body_of_any_method_is_read(harness: Harness, method: str) -> None:
    body = json.dumps({"note": f"IBAN {IBAN}"}).encode()
    flow = await harness.send(flow_for("api.openai.com", "/v1/files/f1", body, method))
    assert flow.response is not None and flow.response.status_code == 403


async def test_gzip_without_a_header_is_read_and_blocked_rather_than_redacted(
    redact_harness: Harness,
) -> None:
    flow = await redact_harness.send(
        flow_for("api.openai.com", "/v1/chat/completions", gzip.compress(chat(f"IBAN {IBAN}")))
    )
    assert flow.response is not None and flow.response.status_code == 403
    ((action, enforced),) = redact_harness.rows("select action, enforced from decisions")
    assert (action, enforced) == ("redact", "block")


async def test_a_utf16_body_is_read(harness: Harness) -> None:
    flow = await harness.send(
        flow_for(
            "api.openai.com",
            "/v1/chat/completions",
            chat(f"IBAN {IBAN}").decode().encode("utf-16"),
            content_type="application/json; charset=utf-16",
        )
    )
    assert flow.response is not None and flow.response.status_code == 403
    assert harness.rows("select error from decisions") == [(None,)]


async def test_a_value_in_a_residual_field_is_redacted_in_place(redact_harness: Harness) -> None:
    body = json.dumps(
        {"model": "gpt-4o", "messages": [{"role": "user", "content": CLEAN}], "user": EMAIL}
    ).encode()
    flow = await redact_harness.send(flow_for("api.openai.com", "/v1/chat/completions", body))
    assert flow.response is None
    assert json.loads(flow.request.content or b"")["user"] == "<EMAIL_1>"
