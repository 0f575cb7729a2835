from __future__ import annotations

import copy
import itertools
from pathlib import Path
from typing import Any

import pytest
import yaml

from policy.catalog import (
    CATEGORIES,
    SHARED_HOSTS,
    Catalog,
    CatalogError,
    Service,
    covers,
    default_catalog,
    load_catalog,
    parse_catalog,
)

REQUIRED_IDS = [
    "chatgpt",
    "claude",
    "gemini",
    "microsoft-copilot",
    "copilot-consumer",
    "perplexity",
    "deepseek",
    "mistral",
    "poe",
    "huggingchat",
    "grok",
    "meta-ai",
    "qwen",
    "kimi",
    "you-com",
    "character-ai",
    "openai-api",
    "azure-openai",
    "anthropic-api",
    "gemini-api",
    "vertex-ai",
    "mistral-api",
    "cohere",
    "groq",
    "together",
    "openrouter",
    "deepseek-api",
    "xai-api",
    "deepl",
    "deepl-write",
    "grammarly",
    "languagetool",
    "jasper",
    "notion-ai",
    "github-copilot",
    "cursor",
    "windsurf",
    "tabnine",
    "replit",
    "otter",
    "fireflies",
    "tldv",
    "midjourney",
    "elevenlabs",
]

# (child host, its service, parent host, its service): a more specific host that
# belongs to another service than its parent. Every such split must be listed here.
INTENTIONAL_SPLITS = {
    ("api.perplexity.ai", "perplexity-api", "perplexity.ai", "perplexity"),
    ("write-pro.www.deepl.com", "deepl-write", "deepl.com", "deepl"),
    ("write-free.www.deepl.com", "deepl-write", "deepl.com", "deepl"),
    ("sora.chatgpt.com", "sora", "chatgpt.com", "chatgpt"),
    ("router.huggingface.co", "hf-inference", "huggingface.co", "huggingchat"),
    ("api-inference.huggingface.co", "hf-inference", "huggingface.co", "huggingchat"),
}

VALID_ENTRY: dict[str, Any] = {
    "name": "Example AI",
    "vendor": "Example Inc.",
    "category": "chat",
    "hosts": ["chat.example-ai.test", "files.example-cdn.test"],
    "upload_hosts": ["files.example-cdn.test"],
    "hq_country": "DE",
    "processing_region": "EU",
    "eu_data_residency": "yes",
    "extractor": "generic",
    "source": "https://example-ai.test/privacy",
}


def _catalog(**changes: Any) -> Catalog:
    entry = copy.deepcopy(VALID_ENTRY)
    for key, value in changes.items():
        if value is None:
            entry.pop(key)
        else:
            entry[key] = value
    return parse_catalog({"services": {"example-ai": entry}}, "test.yaml")


# ---- lookup ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("host", "service"),
    [
        ("api.openai.com", "openai-api"),
        ("API.OpenAI.com.", "openai-api"),
        ("eu.api.openai.com", "openai-api"),
        ("api.anthropic.com", "anthropic-api"),
        ("chatgpt.com", "chatgpt"),
        ("ab.chatgpt.com", "chatgpt"),
        ("claude.ai", "claude"),
        ("www.deepl.com", "deepl"),
        ("api-free.deepl.com", "deepl"),
        ("evilchatgpt.com", None),
        ("chatgpt.com.evil.example", None),
        ("openai.com", None),
        ("example.com", None),
        ("", None),
        (None, None),
        # parent/child splits: the longest matching host wins
        ("api.perplexity.ai", "perplexity-api"),
        ("www.perplexity.ai", "perplexity"),
        ("write-pro.www.deepl.com", "deepl-write"),
        ("sora.chatgpt.com", "sora"),
        ("router.huggingface.co", "hf-inference"),
        ("huggingface.co", "huggingchat"),
        # upload hosts
        ("files.oaiusercontent.com", "chatgpt"),
        ("ppl-ai-file-upload.s3.amazonaws.com", "perplexity"),
        ("content-push.googleapis.com", "gemini"),
        # per-resource and per-region API hosts
        ("my-resource.openai.azure.com", "azure-openai"),
        ("europe-west3-aiplatform.googleapis.com", "vertex-ai"),
        ("us-central1-aiplatform.googleapis.com", "vertex-ai"),
        ("aiplatform.googleapis.com", "vertex-ai"),
        ("bedrock-runtime.eu-central-1.amazonaws.com", "amazon-bedrock"),
        # host families: every region, also ones no list knew
        ("europe-west12-aiplatform.googleapis.com", "vertex-ai"),
        ("eu-aiplatform.googleapis.com", "vertex-ai"),
        ("aiplatform.eu.rep.googleapis.com", "vertex-ai"),
        ("x.europe-west4-aiplatform.googleapis.com", "vertex-ai"),
        ("bedrock-runtime.ap-southeast-7.amazonaws.com", "amazon-bedrock"),
        ("bedrock-runtime-fips.us-east-1.amazonaws.com", "amazon-bedrock"),
        ("bedrock-runtime.eu-central-1.api.aws", "amazon-bedrock"),
        ("bedrock-agent-runtime.eu-west-1.amazonaws.com", "amazon-bedrock"),
        ("bedrock-mantle.eu-central-1.api.aws", "amazon-bedrock"),
        ("westeurope.api.cognitive.microsoft.com", "azure-ai-foundry"),
        ("api.individual.githubcopilot.com", "github-copilot"),
        # shared infrastructure is never attributed to an AI service
        ("google.com", None),
        ("www.google.com", None),
        ("storage.googleapis.com", None),
        ("aiplatform.googleapis.com.evil.test", None),
        ("europe-west4-aiplatform.googleapis.com.evil.test", None),
        ("bedrock.eu-central-1.amazonaws.com", None),  # control plane: no prompts
        ("s3.eu-central-1.amazonaws.com", None),
        ("s3.amazonaws.com", None),
        ("other-bucket.s3.amazonaws.com", None),
        ("azure.com", None),
        ("management.azure.com", None),
        ("github.com", None),
        ("www.notion.so", None),
        ("x.com", None),
        ("outlook.office.com", None),
        ("blob.core.windows.net", None),
        ("someone.blob.core.windows.net", None),
    ],
)
def test_lookup_is_exact_suffix_safe(host: str | None, service: str | None) -> None:
    found = default_catalog().lookup(host)
    assert (found.id if found else None) == service


def test_lookup_prefers_the_longest_host_whatever_the_order() -> None:
    parent = Service("parent", "Parent", "V", ("example.test",), "generic")
    child = Service("child", "Child", "V", ("api.example.test",), "generic")
    for services in ([parent, child], [child, parent]):
        catalog = Catalog(services)
        assert catalog.lookup("api.example.test").id == "child"  # type: ignore[union-attr]
        assert catalog.lookup("x.api.example.test").id == "child"  # type: ignore[union-attr]
        assert catalog.lookup("www.example.test").id == "parent"  # type: ignore[union-attr]


# ---- the shipped catalog ----------------------------------------------------------------


def test_at_least_sixty_services_in_every_category() -> None:
    services = default_catalog().services.values()
    assert len(services) >= 60
    assert {s.category for s in services} == set(CATEGORIES)


def test_the_named_services_are_present() -> None:
    missing = set(REQUIRED_IDS) - set(default_catalog().services)
    assert not missing


def test_every_service_has_its_facts() -> None:
    for service in default_catalog().services.values():
        assert service.hosts or service.host_patterns, service.id
        assert service.extractor and service.name and service.vendor
        assert len(service.hq_country) == 2 and service.source
        assert service.eu_data_residency in ("yes", "no", "unknown")
        if service.eu_data_residency == "yes":
            assert "EU" in service.processing_region.split(", "), service.id
        for upload in service.upload_hosts:
            assert any(covers(host, upload) for host in service.hosts), service.id


def test_every_host_belongs_to_exactly_one_service() -> None:
    owners: dict[str, list[str]] = {}
    for service in default_catalog().services.values():
        for host in service.hosts:
            owners.setdefault(host, []).append(service.id)
    assert {h: ids for h, ids in owners.items() if len(ids) > 1} == {}


def test_parent_child_splits_are_intentional() -> None:
    pairs = [(h, s.id) for s in default_catalog().services.values() for h in s.hosts]
    splits = {
        (child, child_id, parent, parent_id)
        for (child, child_id), (parent, parent_id) in itertools.permutations(pairs, 2)
        if child_id != parent_id and covers(parent, child)
    }
    assert splits == INTENTIONAL_SPLITS


def test_no_shared_infrastructure_host() -> None:
    hosts = set(default_catalog().all_hosts())
    assert not hosts & SHARED_HOSTS
    for shared in SHARED_HOSTS:
        assert default_catalog().lookup(shared) is None, shared


def test_all_hosts_is_sorted_unique_and_complete() -> None:
    catalog = default_catalog()
    hosts = catalog.all_hosts()
    assert list(hosts) == sorted(set(hosts))
    assert set(hosts) == {h for s in catalog.services.values() for h in s.hosts}
    assert {"api.openai.com", "chatgpt.com", "openai.azure.com"} <= set(hosts)


def test_vertex_and_bedrock_cover_every_region_by_family() -> None:
    catalog = default_catalog()
    for region in ("europe-west3", "europe-west4", "europe-west1", "us-central1", "me-west1"):
        assert catalog.lookup(f"{region}-aiplatform.googleapis.com").id == "vertex-ai"  # type: ignore[union-attr]
    for region in ("eu-central-1", "eu-west-3", "us-east-1", "ap-northeast-3", "il-central-1"):
        host = f"bedrock-runtime.{region}.amazonaws.com"
        assert catalog.lookup(host).id == "amazon-bedrock"  # type: ignore[union-attr]


def test_default_catalog_is_the_rules_file(tmp_path: Path) -> None:
    rules = Path(__file__).parents[2] / "rules" / "ai_services.yaml"
    copied = tmp_path / "catalog.yaml"
    copied.write_text(rules.read_text("utf-8"), "utf-8")
    assert load_catalog(copied).services == default_catalog().services
    assert load_catalog().services == default_catalog().services


# ---- schema ----------------------------------------------------------------------------


def test_a_valid_entry_loads_with_all_fields(tmp_path: Path) -> None:
    path = tmp_path / "catalog.yaml"
    path.write_text(yaml.safe_dump({"services": {"example-ai": VALID_ENTRY}}), "utf-8")
    service = load_catalog(str(path)).services["example-ai"]
    assert service.hosts == ("chat.example-ai.test", "files.example-cdn.test")
    assert service.upload_hosts == ("files.example-cdn.test",)
    assert (service.category, service.hq_country, service.extractor) == ("chat", "DE", "generic")
    assert (service.processing_region, service.eu_data_residency) == ("EU", "yes")
    assert service.source == "https://example-ai.test/privacy"
    assert _catalog(upload_hosts=None).services["example-ai"].upload_hosts == ()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"website": "https://example-ai.test"}, "website"),
        ({"category": "assistant"}, "category"),
        ({"extractor": "chatgpt"}, "extractor"),
        ({"eu_data_residency": "maybe"}, "eu_data_residency"),
        ({"eu_data_residency": False}, "eu_data_residency"),  # unquoted `no` in YAML
        ({"hq_country": "Germany"}, "hq_country"),
        ({"processing_region": "Europe"}, "processing_region"),
        ({"processing_region": "US, unknown"}, "processing_region"),
        ({"source": ""}, "source"),
        ({"name": None}, "name"),
        ({"hosts": []}, "hosts"),
        ({"hosts": "chat.example-ai.test"}, "hosts"),
        ({"hosts": ["https://chat.example-ai.test"]}, "hosts"),
        ({"hosts": ["chat.example-ai.test:443"]}, "hosts"),
        ({"hosts": ["chat.example-ai.test/api"]}, "hosts"),
        ({"hosts": ["*.example-ai.test"]}, "hosts"),
        ({"hosts": ["Chat.Example-AI.test"]}, "hosts"),
        ({"hosts": ["chat.example-ai.test."]}, "hosts"),
        ({"hosts": ["localhost"]}, "hosts"),
        ({"hosts": ["-bad.example-ai.test"]}, "hosts"),
        ({"hosts": ["10.0.0.1"]}, "hosts"),
        ({"hosts": ["amazonaws.com"]}, "hosts"),
        ({"hosts": ["google.com"]}, "hosts"),
        ({"hosts": ["a.test", "a.test"]}, "hosts"),
        ({"upload_hosts": ["files.elsewhere.test"]}, "upload_hosts"),
        ({"upload_hosts": ["example-cdn.test"]}, "upload_hosts"),  # parent, not child
        ({"upload_hosts": ["evilfiles.example-cdn.test.evil"]}, "upload_hosts"),
    ],
)
def test_schema_rejects_bad_entries_naming_the_service_and_field(
    changes: dict[str, Any], field: str
) -> None:
    with pytest.raises(CatalogError) as error:
        _catalog(**changes)
    message = str(error.value)
    assert "test.yaml" in message and "'example-ai'" in message and field in message


def test_upload_hosts_may_be_subdomains_of_hosts() -> None:
    catalog = _catalog(hosts=["example-ai.test"], upload_hosts=["files.example-ai.test"])
    assert catalog.services["example-ai"].upload_hosts == ("files.example-ai.test",)


def test_a_host_in_two_services_is_rejected() -> None:
    other = dict(VALID_ENTRY, upload_hosts=[], hosts=["chat.example-ai.test"])
    with pytest.raises(CatalogError, match=r"'other-ai'.*'chat.example-ai.test'.*'example-ai'"):
        parse_catalog({"services": {"example-ai": VALID_ENTRY, "other-ai": other}}, "t.yaml")


@pytest.mark.parametrize(
    "data",
    [
        None,
        [],
        {"services": {}},
        {"services": []},
        {"services": {"example-ai": VALID_ENTRY}, "extra": 1},
        {"services": {"Example_AI": VALID_ENTRY}},
    ],
)
def test_bad_file_structure_is_rejected(data: object) -> None:
    with pytest.raises(CatalogError, match=r"test\.yaml"):
        parse_catalog(data, "test.yaml")


def test_invalid_yaml_is_a_catalog_error(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("services: {a: [\n", "utf-8")
    with pytest.raises(CatalogError, match=r"broken\.yaml"):
        load_catalog(path)
