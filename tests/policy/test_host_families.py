"""Host families (policy/host_patterns.py): the pattern rules, and one table of hosts that
every consumer must answer alike — Catalog.lookup (identify, discovery, tenant), the
mitmproxy allow_hosts regex and the Intercept addon (decryption), and the PAC file run in
node (routing)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from mitmproxy.addons.next_layer import NextLayer
from mitmproxy.test import taddons

from policy.catalog import SHARED_HOSTS, CatalogError, default_catalog, parse_catalog
from policy.host_patterns import PatternError, check_pattern, compile_pattern, regex_body
from policy.intercept import allow_hosts_pattern, decrypted_hosts, gateway_hosts
from policy.pac import PacError, pac_file
from proxy_addon.intercept import Intercept
from tests.policy.test_catalog import VALID_ENTRY
from tests.policy.test_pac import GATEWAY, PROXY, needs_node, run_pac

# host → the catalog service it belongs to (None: not an AI host, never decrypted or routed)
TABLE: list[tuple[str, str | None]] = [
    # Vertex AI: every region, multi-regions, REP endpoints, subdomains
    ("aiplatform.googleapis.com", "vertex-ai"),
    ("europe-west4-aiplatform.googleapis.com", "vertex-ai"),
    ("europe-west12-aiplatform.googleapis.com", "vertex-ai"),  # a region no list had
    ("us-central1-aiplatform.googleapis.com", "vertex-ai"),
    ("eu-aiplatform.googleapis.com", "vertex-ai"),
    ("europe-west4-prediction-aiplatform.googleapis.com", "vertex-ai"),
    ("aiplatform.eu.rep.googleapis.com", "vertex-ai"),
    ("aiplatform.europe-west3.rep.googleapis.com", "vertex-ai"),
    ("a.b.europe-west4-aiplatform.googleapis.com", "vertex-ai"),
    ("EUROPE-WEST4-AIPLATFORM.googleapis.com.", "vertex-ai"),
    ("1234.europe-west4-987.prediction.vertexai.goog", "vertex-ai"),
    # Bedrock: runtime, FIPS, dual-stack, agent runtime, mantle, China, EU sovereign cloud
    ("bedrock-runtime.eu-central-1.amazonaws.com", "amazon-bedrock"),
    ("bedrock-runtime.eu-central-2.amazonaws.com", "amazon-bedrock"),
    ("bedrock-runtime.ap-southeast-7.amazonaws.com", "amazon-bedrock"),
    ("bedrock-runtime-fips.us-east-1.amazonaws.com", "amazon-bedrock"),
    ("bedrock-runtime.eu-west-1.api.aws", "amazon-bedrock"),
    ("bedrock-agent-runtime.eu-central-1.amazonaws.com", "amazon-bedrock"),
    ("bedrock-agentcore.eu-central-1.amazonaws.com", "amazon-bedrock"),
    ("bedrock-mantle.us-east-1.api.aws", "amazon-bedrock"),
    ("bedrock-runtime.cn-north-1.amazonaws.com.cn", "amazon-bedrock"),
    ("bedrock-runtime.eusc-de-east-1.amazonaws.eu", "amazon-bedrock"),
    # Azure
    ("my-resource.openai.azure.com", "azure-openai"),
    ("my-hub.services.ai.azure.com", "azure-ai-foundry"),
    ("westeurope.api.cognitive.microsoft.com", "azure-ai-foundry"),
    ("germanywestcentral.stt.speech.microsoft.com", "azure-ai-foundry"),
    ("my-llama.swedencentral.models.ai.azure.com", "azure-ai-foundry"),
    # plain hosts keep working
    ("api.openai.com", "openai-api"),
    ("eu.api.openai.com", "openai-api"),
    ("generativelanguage.googleapis.com", "gemini-api"),
    # shared infrastructure and look-alikes: never
    ("googleapis.com", None),
    ("storage.googleapis.com", None),
    ("www.googleapis.com", None),
    ("aiplatform.googleapis.com.evil.test", None),
    ("europe-west4-aiplatform.googleapis.com.evil.test", None),
    ("europe-west4-aiplatform.evil.test", None),
    ("-aiplatform.googleapis.com", None),
    ("aiplatform-europe-west4.googleapis.com", None),
    ("amazonaws.com", None),
    ("s3.eu-central-1.amazonaws.com", None),
    ("bedrock.eu-central-1.amazonaws.com", None),  # control plane: no prompts
    ("bedrock-runtime.amazonaws.com", None),  # no region: no such endpoint
    ("bedrock-runtime.eu-central-1.amazonaws.com.evil.test", None),
    ("evil.test", None),
    ("azure.com", None),
    ("management.azure.com", None),
]


@pytest.mark.parametrize(("host", "service"), TABLE)
def test_lookup(host: str, service: str | None) -> None:
    found = default_catalog().lookup(host)
    assert (found.id if found else None) == service


@pytest.mark.parametrize(("host", "service"), TABLE)
def test_allow_hosts_regex_decrypts_exactly_the_catalog_hosts(
    host: str, service: str | None
) -> None:
    pattern = allow_hosts_pattern(decrypted_hosts())
    # mitmproxy's NextLayer: re.search(rex, "host:port", re.IGNORECASE)
    assert (re.search(pattern, f"{host}:443", re.IGNORECASE) is not None) is (service is not None)


def test_intercept_addon_agrees_with_the_table() -> None:
    intercept = Intercept()
    with taddons.context(NextLayer(), intercept) as tctx:
        tctx.configure(intercept)
        answers = {host: intercept.decrypts(host.rstrip(".")) for host, _ in TABLE}
    assert answers == {host: service is not None for host, service in TABLE}


@needs_node
def test_pac_file_in_node_routes_exactly_the_catalog_hosts(tmp_path: Path) -> None:
    text = pac_file(gateway_hosts(), GATEWAY)
    answers = run_pac(text, [f"https://{host}/v1/x" for host, _ in TABLE], tmp_path)
    routed = {url.split("/")[2]: answer for url, answer in answers.items()}
    assert routed == {host: PROXY if service else "DIRECT" for host, service in TABLE}


def test_passed_through_family_is_routed_but_not_decrypted() -> None:
    hosts = decrypted_hosts(passthrough=["amazon-bedrock"])
    pattern = allow_hosts_pattern(hosts)
    assert not re.search(pattern, "bedrock-runtime.eu-central-1.amazonaws.com:443")
    assert re.search(pattern, "europe-west4-aiplatform.googleapis.com:443")
    assert "bedrock-runtime.*.amazonaws.com" in gateway_hosts()


# ---- the pattern rules --------------------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "reason"),
    [
        ("*.googleapis.com", "leftmost label"),
        ("*.amazonaws.com", "leftmost label"),
        ("*-ai.googleapis.com", "leftmost label"),  # 'ai': too short to name a service
        ("bedrock-runtime.*.com", "literal labels must follow"),
        ("bedrock-runtime.amazonaws.*", "literal labels must follow"),
        ("aiplatform.googleapis.com", "has no '*'"),
        ("https://*-aiplatform.googleapis.com", "not lowercase DNS labels"),
        ("*-AIPLATFORM.googleapis.com", "not lowercase DNS labels"),
        ("*-aiplatform.googleapis.com.", "not lowercase DNS labels"),
        ("*-aiplatform.googleapis.com:443", "not lowercase DNS labels"),
        ("*-aiplatform..googleapis.com", "not lowercase DNS labels"),
        ("s3*.amazonaws.com", "leftmost label"),
        ("bedrock-*.com", "literal labels must follow"),
    ],
)
def test_unsafe_or_malformed_patterns_are_refused(pattern: str, reason: str) -> None:
    with pytest.raises(PatternError, match=re.escape(reason)):
        check_pattern(pattern, SHARED_HOSTS)


def test_a_pattern_matching_a_shared_host_is_refused() -> None:
    shared = re.escape("shared infrastructure 'clients6.google.com'")
    with pytest.raises(PatternError, match=shared):
        check_pattern("clients*.google.com", SHARED_HOSTS)


@pytest.mark.parametrize(
    ("pattern", "host", "matches"),
    [
        ("*-aiplatform.googleapis.com", "europe-west4-aiplatform.googleapis.com", True),
        ("*-aiplatform.googleapis.com", "a.b-aiplatform.googleapis.com", False),  # no dot in *
        ("*-aiplatform.googleapis.com", "xaiplatform.googleapis.com", False),
        ("bedrock-runtime.*.amazonaws.com", "bedrock-runtime.eu-central-1.amazonaws.com", True),
        ("bedrock-runtime.*.amazonaws.com", "bedrock-runtime.a.b.amazonaws.com", False),
        ("bedrock-runtime.*.amazonaws.com", "bedrock-runtimex.eu.amazonaws.com", False),
        ("bedrock-runtime.*.amazonaws.com", "bedrock-runtime.eu.amazonaws.com:443", False),
    ],
)
def test_star_is_one_or_more_characters_within_one_label(
    pattern: str, host: str, matches: bool
) -> None:
    assert bool(compile_pattern(pattern).match(host)) is matches


def test_the_regex_is_plain_enough_for_javascript_and_mitmproxy() -> None:
    body = regex_body("bedrock-runtime-fips.*.api.aws")
    assert body == r"bedrock-runtime-fips\.[^.:]+\.api\.aws"
    assert "\\-" not in regex_body("*-aiplatform.googleapis.com")


def test_pac_file_refuses_an_unsafe_pattern() -> None:
    with pytest.raises(PacError, match="leftmost label"):
        pac_file(["*.googleapis.com"], GATEWAY)


def _entry(**changes: Any) -> dict[str, Any]:
    return {**VALID_ENTRY, "upload_hosts": [], **changes}


def test_catalog_entry_with_only_patterns_loads() -> None:
    catalog = parse_catalog(
        {"services": {"example-ai": _entry(hosts=[], host_patterns=["llm-*.example-ai.test"])}},
        "t.yaml",
    )
    assert catalog.lookup("llm-eu1.example-ai.test").id == "example-ai"  # type: ignore[union-attr]
    assert catalog.all_patterns() == ("llm-*.example-ai.test",)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"hosts": [], "host_patterns": []}, "at least one host"),
        ({"host_patterns": ["*.googleapis.com"]}, "host_patterns"),
        ({"host_patterns": ["llm-*.example-ai.test", "llm-*.example-ai.test"]}, "duplicate"),
        ({"host_patterns": "llm-*.example-ai.test"}, "host_patterns"),
    ],
)
def test_catalog_refuses_bad_patterns_naming_service_and_field(
    changes: dict[str, Any], message: str
) -> None:
    with pytest.raises(CatalogError, match=message) as error:
        parse_catalog({"services": {"example-ai": _entry(**changes)}}, "t.yaml")
    assert "'example-ai'" in str(error.value) and "t.yaml" in str(error.value)


def test_a_family_claiming_another_services_host_or_family_is_refused() -> None:
    first = _entry(hosts=["eu-llm.example-ai.test"])
    second = _entry(hosts=["other.test"], host_patterns=["*-llm.example-ai.test"])
    with pytest.raises(CatalogError, match=re.escape("matches host 'eu-llm.example-ai.test'")):
        parse_catalog({"services": {"first": first, "second": second}}, "t.yaml")
    third = _entry(hosts=["third.test"], host_patterns=["eu*-llm.example-ai.test"])
    with pytest.raises(CatalogError, match="overlaps"):
        parse_catalog({"services": {"second": second, "third": third}}, "t.yaml")


def test_upload_hosts_may_lie_in_a_family() -> None:
    entry = _entry(
        hosts=[], host_patterns=["llm-*.example-ai.test"], upload_hosts=["f.llm-eu.example-ai.test"]
    )
    parse_catalog({"services": {"example-ai": entry}}, "t.yaml")
    entry["upload_hosts"] = ["f.example-ai.test"]
    with pytest.raises(CatalogError, match="upload_hosts"):
        parse_catalog({"services": {"example-ai": entry}}, "t.yaml")
