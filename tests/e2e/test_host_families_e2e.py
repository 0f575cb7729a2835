"""End to end: regional endpoints of host families through a real `leitplanke proxy`
(issue 19, class 7).

Every https host is mapped to one local fake upstream (map_remote, after Identify has
seen the original host, so the service is still named by it). Each case sends a request
the way the vendor's SDK does to a regional host that no host *list* named — Vertex AI
in any region, its REP and multi-region endpoints, Claude on Vertex; Bedrock runtime in
any region, FIPS and dual-stack, Converse and InvokeModel, the agent runtime, Mantle's
OpenAI-compatible API — and expects it decrypted, scanned and blocked in the vendor's own
error shape with nothing arriving upstream; clean controls must arrive. The gateway's own
PAC file, run in node, routes the same hosts to it.
"""

from __future__ import annotations

import json
import sqlite3
import ssl
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from bench.fake_upstream import FakeUpstream
from bench.proxies import Gateway, start_gateway, stop_gateway, wait_for
from policy.catalog import default_catalog
from tests.e2e.test_pac_e2e import curl
from tests.policy.test_pac import needs_node, run_pac

pytestmark = pytest.mark.e2e

IBAN = "DE89 3704 0044 0532 0130 00"
CLEAN = "Wie funktioniert eine Wärmepumpe?"
VERTEX_PATH = "/v1/projects/p/locations/{region}/publishers/google/models/gemini-2.5-flash"
CLAUDE = "/v1/projects/p/locations/europe-west1/publishers/anthropic/models/claude-sonnet-4"
SIGV4 = {
    "authorization": "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20250101/eu-central-1/bedrock/"
    "aws4_request, SignedHeaders=host;x-amz-date, Signature=0",
    "x-amz-date": "20250101T000000Z",
}
CONVERSE = "/model/eu.anthropic.claude-sonnet-4-20250514-v1:0/converse"


def gemini_body(text: str) -> dict[str, Any]:
    return {"contents": [{"role": "user", "parts": [{"text": text}]}]}


def converse(text: str) -> dict[str, Any]:
    return {
        "messages": [{"role": "user", "content": [{"text": text}]}],
        "inferenceConfig": {"maxTokens": 100},
    }


def anthropic(text: str, version: str) -> dict[str, Any]:
    return {
        "anthropic_version": version,
        "max_tokens": 100,
        "messages": [{"role": "user", "content": text}],
    }


@dataclass(frozen=True)
class HostCase:
    name: str
    host: str
    path: str
    body: dict[str, Any]
    service: str
    api: str
    status: int = 403  # 0: the clean control, which must reach the upstream
    headers: dict[str, str] = field(default_factory=dict)


CASES = [
    HostCase(
        "vertex-europe-west4",
        "europe-west4-aiplatform.googleapis.com",
        VERTEX_PATH.format(region="europe-west4") + ":generateContent",
        gemini_body(f"IBAN {IBAN}"),
        "vertex-ai",
        "gemini_generate",
    ),
    HostCase(
        "vertex-new-region",
        "europe-west12-aiplatform.googleapis.com",
        VERTEX_PATH.format(region="europe-west12") + ":streamGenerateContent?alt=sse",
        gemini_body(f"IBAN {IBAN}"),
        "vertex-ai",
        "gemini_generate",
    ),
    HostCase(
        "vertex-eu-rep",
        "aiplatform.eu.rep.googleapis.com",
        VERTEX_PATH.format(region="eu") + ":generateContent",
        gemini_body(f"IBAN {IBAN}"),
        "vertex-ai",
        "gemini_generate",
    ),
    HostCase(
        "vertex-claude-raw-predict",
        "europe-west1-aiplatform.googleapis.com",
        CLAUDE + ":rawPredict",
        anthropic(f"IBAN {IBAN}", "vertex-2023-10-16"),
        "vertex-ai",
        "anthropic_messages",
    ),
    HostCase(
        "vertex-clean",
        "europe-west4-aiplatform.googleapis.com",
        VERTEX_PATH.format(region="europe-west4") + ":generateContent",
        gemini_body(CLEAN),
        "vertex-ai",
        "gemini_generate",
        status=0,
    ),
    HostCase(
        "bedrock-eu-central-1-converse",
        "bedrock-runtime.eu-central-1.amazonaws.com",
        CONVERSE,
        converse(f"IBAN {IBAN}"),
        "amazon-bedrock",
        "bedrock_converse",
    ),
    HostCase(
        "bedrock-converse-stream",
        "bedrock-runtime.eu-central-1.amazonaws.com",
        CONVERSE + "-stream",
        converse(f"IBAN {IBAN}"),
        "amazon-bedrock",
        "bedrock_converse",
    ),
    HostCase(
        "bedrock-invoke-anthropic",
        "bedrock-runtime.eu-west-3.amazonaws.com",
        "/model/anthropic.claude-3-5-sonnet-20240620-v1%3A0/invoke",
        anthropic(f"IBAN {IBAN}", "bedrock-2023-05-31"),
        "amazon-bedrock",
        "bedrock_invoke",
    ),
    HostCase(
        "bedrock-invoke-titan-new-region",
        "bedrock-runtime.ap-southeast-7.amazonaws.com",
        "/model/amazon.titan-text-express-v1/invoke-with-response-stream",
        {"inputText": f"IBAN {IBAN}"},
        "amazon-bedrock",
        "bedrock_invoke",
    ),
    HostCase(
        "bedrock-fips",
        "bedrock-runtime-fips.us-east-1.amazonaws.com",
        CONVERSE,
        converse(f"IBAN {IBAN}"),
        "amazon-bedrock",
        "bedrock_converse",
    ),
    HostCase(
        "bedrock-dual-stack",
        "bedrock-runtime.eu-central-1.api.aws",
        CONVERSE,
        converse(f"IBAN {IBAN}"),
        "amazon-bedrock",
        "bedrock_converse",
    ),
    HostCase(
        "bedrock-tool-description",
        "bedrock-runtime.eu-central-1.amazonaws.com",
        CONVERSE,
        {
            **converse(CLEAN),
            "toolConfig": {"tools": [{"toolSpec": {"name": "t", "description": f"IBAN {IBAN}"}}]},
        },
        "amazon-bedrock",
        "bedrock_converse",
    ),
    HostCase(
        "bedrock-agent-runtime",
        "bedrock-agent-runtime.eu-central-1.amazonaws.com",
        "/agents/AGENT1/agentAliases/ALIAS1/sessions/s-1/text",
        {"inputText": f"IBAN {IBAN}", "enableTrace": False},
        "amazon-bedrock",
        "bedrock_other",
    ),
    HostCase(
        "bedrock-mantle-openai",
        "bedrock-mantle.eu-central-1.api.aws",
        "/v1/chat/completions",
        {"model": "openai.gpt-oss-120b", "messages": [{"role": "user", "content": IBAN}]},
        "amazon-bedrock",
        "openai_chat",
    ),
    HostCase(
        "bedrock-clean",
        "bedrock-runtime.eu-central-1.amazonaws.com",
        CONVERSE,
        converse(CLEAN),
        "amazon-bedrock",
        "bedrock_converse",
        status=0,
    ),
]


@pytest.fixture(scope="module")
def gateway(tmp_path_factory: pytest.TempPathFactory, upstream: FakeUpstream) -> Iterator[Gateway]:
    catch_all = rf"map_remote=|https://[^/]+|http://127.0.0.1:{upstream.port}"
    gw = start_gateway(tmp_path_factory.mktemp("gateway-families"), upstream, ["--set", catch_all])
    yield gw
    stop_gateway(gw)


@pytest.fixture(scope="module")
def http(gateway: Gateway) -> Iterator[httpx.Client]:
    tls = ssl.create_default_context(cafile=str(gateway.ca))
    with httpx.Client(proxy=gateway.proxy_url, verify=tls, timeout=60) as client:
        yield client


def decisions(gateway: Gateway) -> list[tuple[Any, ...]]:
    with sqlite3.connect(gateway.db) as conn:
        return conn.execute("select service, api, action from decisions order by id").fetchall()


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_case(case: HostCase, gateway: Gateway, upstream: FakeUpstream, http: httpx.Client) -> None:
    # A host the gateway would not decrypt would be tunnelled to the real internet: the
    # catalog must claim it before anything is sent.
    assert default_catalog().lookup(case.host) is not None, case.host
    before = len(upstream.requests)
    rows = len(decisions(gateway))
    headers = {"content-type": "application/json", **SIGV4}
    response = http.post(f"https://{case.host}{case.path}", json=case.body, headers=headers)
    arrived = upstream.requests[before:]
    wait_for(lambda: len(decisions(gateway)) > rows, 20, "the decision row")
    assert decisions(gateway)[-1][:2] == (case.service, case.api)
    if case.status == 0:  # decrypted, scanned clean, forwarded (the fake knows no such path)
        assert [r["path"] for r in arrived] == [case.path]
        assert decisions(gateway)[-1][2] == "log"
        return
    assert response.status_code == case.status, response.text
    assert arrived == [], f"{case.name}: reached the upstream"
    assert IBAN not in response.text
    body = response.json()
    if case.api.startswith("bedrock"):  # what botocore reads: x-amzn-ErrorType, message
        assert response.headers["x-amzn-errortype"].startswith("AccessDeniedException")
        assert "IBAN" in body["message"]
    elif case.api == "anthropic_messages":
        assert body["error"]["type"] == "permission_error"
    elif case.api == "gemini_generate":
        assert body["error"]["status"] == "PERMISSION_DENIED"
    else:
        assert body["error"]["code"] == "leitplanke_policy_block"


@needs_node
def test_the_gateways_pac_file_routes_the_families(gateway: Gateway, tmp_path: Path) -> None:
    status, _, pac = curl(f"http://127.0.0.1:{gateway.port}/proxy.pac")
    assert status == 200
    proxied = sorted({case.host for case in CASES})
    direct = [
        "storage.googleapis.com",
        "s3.eu-central-1.amazonaws.com",
        "bedrock.eu-central-1.amazonaws.com",
    ]
    answers = run_pac(pac, [f"https://{host}/" for host in [*proxied, *direct]], tmp_path)
    gw = f"PROXY 127.0.0.1:{gateway.port}"
    assert answers == {
        **{f"https://{host}/": gw for host in proxied},
        **{f"https://{host}/": "DIRECT" for host in direct},
    }
    assert json.dumps(IBAN) not in pac
