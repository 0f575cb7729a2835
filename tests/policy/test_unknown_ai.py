"""The "unknown AI?" heuristic: host names only, catalog hosts never flagged."""

from __future__ import annotations

from pathlib import Path

import pytest

from policy.catalog import Catalog, Service, default_catalog
from policy.unknown_ai import (
    DiscoveryRules,
    DiscoveryRulesError,
    load_discovery_rules,
    normalize_host,
    parse_discovery_rules,
)
from rules.strict_yaml import load_yaml


@pytest.fixture(scope="module")
def rules() -> DiscoveryRules:
    return load_discovery_rules()


@pytest.mark.parametrize(
    ("host", "rule"),
    [
        # AI-looking hosts outside the catalog
        ("llm.example.com", "ai-keyword"),
        ("my-gpt.io", "ai-keyword"),
        ("internal-llm.acme.de", "ai-keyword"),
        ("genai.bank.example", "ai-keyword"),
        ("copilot.example.com", "ai-keyword"),
        ("chatbot-builder.de", "ai-keyword"),
        ("platform.openai.com", "ai-keyword"),  # OpenAI, but not a catalog host
        ("Sub.LLM-Tools.COM.", "ai-keyword"),
        ("chatgptfree.com", "gpt-in-label"),
        ("gptzero.me", "gpt-in-label"),
        ("acme-ai.de", "ai-label"),
        ("ai.example.com", "ai-label"),
        ("ai-writer.io", "ai-label"),
        ("chat.ai-startup.com", "ai-label"),
        ("summarize.ai", "ai-tld"),
        ("app.somestartup.ai", "ai-tld"),
        ("chat.neural-labs.com", "assistant-prefix"),
        ("api.inference-cloud.io", "assistant-prefix"),
        ("app.assistant-hub.de", "assistant-prefix"),
        # "ai" inside a word is not "ai"
        ("said.de", None),
        ("email.de", None),
        ("thailand.com", None),
        ("paint.net", None),
        ("maildomain.com", None),
        ("kai-uwe.de", None),
        ("mai-tai.de", None),
        ("fullmoon.de", None),  # "llm" only across a word
        ("openair-festival.de", None),  # "openai" only as a prefix
        ("egypt.com", None),
        # ordinary hosts, prefixes without an AI word
        ("example.com", None),
        ("www.bank.example", None),
        ("chat.whatsapp.com", None),
        ("api.stripe.com", None),
        ("app.datev.de", None),
        ("www.notion.so", None),
        # .ai registry and government domains
        ("gov.ai", None),
        ("www.gov.ai", None),
        ("nic.ai", None),
        # the catalog's hosts are known services, never "unknown"
        ("chatgpt.com", None),
        ("claude.ai", None),
        ("api.perplexity.ai", None),
        ("eu.api.openai.com", None),
        ("europe-west3-aiplatform.googleapis.com", None),
        # not host names
        ("1.2.3.4", None),
        ("::1", None),
        ("[2001:db8::1]", None),
        ("localhost", None),
        ("", None),
        (None, None),
    ],
)
def test_default_rules(rules: DiscoveryRules, host: str | None, rule: str | None) -> None:
    assert rules.match(host) == rule


def test_no_catalog_host_is_ever_flagged(rules: DiscoveryRules) -> None:
    for host in default_catalog().all_hosts():
        assert rules.match(host) is None, host
        assert rules.match(f"www.{host}") is None, host


def test_every_default_rule_is_named_and_documented(rules: DiscoveryRules) -> None:
    names = [rule.name for rule in rules.rules]
    assert len(names) == len(set(names)) >= 4
    assert all(rule.description for rule in rules.rules)


def test_a_custom_catalog_decides_what_is_known() -> None:
    catalog = Catalog([Service("acme-llm", "ACME LLM", "ACME", ("llm.acme.example",), "openai")])
    rules = load_discovery_rules(catalog=catalog)
    assert rules.match("llm.acme.example") is None
    assert rules.match("chatgpt.com") == "ai-keyword"  # not in this catalog


CUSTOM = """
version: 1
ignore: [ki-ausbildung.de]
rules:
  - name: german-ki
    description: German "KI" (Künstliche Intelligenz) as a word in the host name
    words: [ki]
    except: [kiel.de]
  - name: dot-bot
    description: the .bot TLD
    tlds: [bot]
  - name: prefixed-assistant
    description: an assistant. subdomain of a .de site
    first_label: [assistant]
    tlds: [de]
    substrings: [shop]
"""


def test_a_custom_rules_file(tmp_path: Path) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text(CUSTOM, "utf-8")
    rules = load_discovery_rules(path)
    assert [r.name for r in rules.rules] == ["german-ki", "dot-bot", "prefixed-assistant"]
    assert rules.match("ki-assistent.de") == "german-ki"
    assert rules.match("www.ki.example") == "german-ki"
    assert rules.match("kiel.de") is None  # no part "ki" anyway
    assert rules.match("ki.kiel.de") is None  # except
    assert rules.match("ki-ausbildung.de") is None  # ignore
    assert rules.match("www.ki-ausbildung.de") is None
    assert rules.match("hello.bot") == "dot-bot"
    assert rules.match("assistant.myshop.de") == "prefixed-assistant"
    assert rules.match("assistant.myshop.com") is None  # TLD condition
    assert rules.match("www.myshop.de") is None  # first-label condition
    assert rules.match("llm.example.com") is None  # the default rules are not loaded
    assert load_discovery_rules(str(path)).rules == rules.rules


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("rules: [\n", "not valid YAML"),
        ("- just a list\n", "file"),
        ("version: 2\nrules: [{name: a, description: d, words: [x]}]\n", "version"),
        ("version: 1\nrules: []\n", "rules"),
        ("version: 1\nrulez: []\n", "rulez"),
        (
            "version: 1\nrules: [{name: my-rule, description: d, words: [x], colour: red}]\n",
            r"rules\[0\] \(my-rule\)\.colour",
        ),
        ("version: 1\nrules: [{name: my-rule, description: d}]\n", "at least one of"),
        ("version: 1\nrules: [{name: my-rule, description: d, words: [GPT]}]\n", "words"),
        ("version: 1\nrules: [{name: My Rule, description: d, words: [x]}]\n", "name"),
        ("version: 1\nrules: [{name: r, words: [x]}]\n", "description"),
        ("version: 1\nrules: [{name: r, description: d, words: x}]\n", "words"),
        (
            "version: 1\nrules: [{name: r, description: d, tlds: [ai], except: ['*.ai']}]\n",
            "except",
        ),
        (
            "version: 1\nrules:\n  - {name: r, description: d, words: [x]}\n"
            "  - {name: r, description: e, words: [y]}\n",
            "unique",
        ),
        (
            "version: 1\nignore: [https://x.example]\n"
            "rules: [{name: r, description: d, tlds: [ai]}]\n",
            "ignore",
        ),
    ],
)
def test_an_invalid_rules_file_is_a_clear_error(tmp_path: Path, text: str, expected: str) -> None:
    path = tmp_path / "bad-rules.yaml"
    path.write_text(text, "utf-8")
    with pytest.raises(DiscoveryRulesError, match=expected) as error:
        load_discovery_rules(path)
    assert "bad-rules.yaml" in str(error.value)
    assert isinstance(error.value, ValueError)  # what the Discovery addon catches


def test_a_missing_rules_file_is_an_os_error(tmp_path: Path) -> None:
    with pytest.raises(OSError):
        load_discovery_rules(tmp_path / "missing.yaml")


def test_the_shipped_file_parses_as_data() -> None:
    path = Path(__file__).parents[2] / "rules" / "ai_discovery.yaml"
    data = load_yaml(path.read_text("utf-8"))
    assert parse_discovery_rules(data, "x").rules == load_discovery_rules().rules


@pytest.mark.parametrize(
    ("host", "normal"),
    [
        ("Chat.Example.COM.", "chat.example.com"),
        ("_dmarc.example.com", None),
        ("https://chat.example.com", None),
        ("10.0.0.1", None),
        ("[::1]", None),
        ("intranet", None),
        ("", None),
        (None, None),
    ],
)
def test_normalize_host(host: str | None, normal: str | None) -> None:
    assert normalize_host(host) == normal
