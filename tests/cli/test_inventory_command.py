"""`leitplanke inventory` in every format and language, on real SQLite files."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace
from typing import cast

import pytest
from click.testing import CliRunner

from cli.inventory_command import inventory
from cli.inventory_render import data_class_labels, render
from policy.catalog import Catalog, Service, default_catalog
from store.findings_store import FindingsStore
from store.inventory import inventory as build_inventory
from store.inventory import open_database
from tests.store.test_inventory import POLICY, decision, usage

# The command reads relative to the real clock; seed relative to it, too.
NOW = datetime.now(UTC)
IN = NOW - timedelta(days=2)
BEFORE = NOW - timedelta(days=40)
USERS = [f"u-PSEUDONYM-{i:02d}-7f3a" for i in range(5)]
HEADERS = {
    "de": ("Dienst", "Status", "Nutzende", "Anfragen", "Trend"),
    "en": ("Service", "Status", "Users", "Requests", "Trend"),
}
SECTIONS = {
    "de": ("KI-Dienste", "Kandidaten für eine Freigabe", "Unbekannte KI-Hosts"),
    "en": ("AI services", "Candidates for approval", "Unknown AI hosts"),
}


@pytest.fixture(scope="module")
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("db") / "leitplanke.db"
    store = FindingsStore(path)
    for user in USERS[:4]:
        usage(store, "chatgpt", user, IN, kind="connection", status="approved")
        usage(store, "chatgpt", user, IN, status="approved", group="sales")
        usage(store, "deepseek", user, IN, kind="connection", intercepted=False)
    for user in USERS[:3]:
        for _ in range(3):
            usage(store, "perplexity", user, IN)
        usage(store, None, user, IN, host="chat.newai.example", heuristic="ai_keyword")
    usage(store, "perplexity", USERS[0], BEFORE)
    usage(store, "perplexity", USERS[0], BEFORE)
    usage(store, "claude", USERS[4], IN)  # one person: listed without figures
    decision(
        store,
        "chatgpt",
        USERS[0],
        IN,
        action="block",
        status="approved",
        findings=(("personal", 2), ("secrets", 1)),
    )
    decision(store, "perplexity", USERS[1], IN, action="block", findings=(("personal", 1),))
    store.close()
    return path


@pytest.fixture(scope="module")
def policy_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("policy") / "policy.yaml"
    path.write_text(POLICY, encoding="utf-8")
    return path


def run(runner: CliRunner, db: Path, *args: str) -> str:
    result = runner.invoke(inventory, ["--db", str(db), *args])
    assert result.exit_code == 0, result.output
    return result.output


class _Html(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.th: list[str] = []
        self.h2: list[str] = []
        self.tags: set[str] = set()
        self.lang = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        if tag == "html":
            self.lang = dict(attrs).get("lang") or ""
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if self.stack and self.stack[-1] == tag:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        if self.stack and self.stack[-1] in ("th", "h2"):
            getattr(self, self.stack[-1]).append(data.strip())


@pytest.mark.parametrize("lang", ["de", "en"])
def test_table(runner: CliRunner, seeded: Path, lang: str) -> None:
    out = run(runner, seeded, "--lang", lang)
    for word in (*HEADERS[lang], *SECTIONS[lang]):
        assert word in out
    lines = out.splitlines()
    header = next(line for line in lines if line.startswith(HEADERS[lang][0]))
    rule = lines[lines.index(header) + 1]
    assert set(rule) <= {"-", " "}
    services = lines[lines.index(header) + 2 : lines.index(header) + 6]
    assert [line.split()[0] for line in services] == ["ChatGPT", "DeepSeek", "Perplexity", "Claude"]
    assert "< 3" in services[3] and services[3].rstrip().endswith("—")
    assert ("neu" if lang == "de" else "new") in out
    assert ("+7 (+350,0 %)" if lang == "de" else "+7 (+350.0 %)") in services[2]
    assert ("freigegeben" if lang == "de" else "approved") in out
    assert "chat.newai.example" in out


@pytest.mark.parametrize("lang", ["de", "en"])
def test_csv(runner: CliRunner, seeded: Path, lang: str) -> None:
    rows = list(csv.DictReader(io.StringIO(run(runner, seeded, "--format", "csv", "--lang", lang))))
    users, requests, service = HEADERS[lang][2], HEADERS[lang][3], HEADERS[lang][0]
    by_name = {row[service]: row for row in rows}
    assert list(by_name) == ["ChatGPT", "DeepSeek", "Perplexity", "chat.newai.example", "Claude"]
    assert by_name["ChatGPT"][users] == "4"
    assert by_name["Perplexity"][requests] == "9"
    tunnelled = "Ungeprüft (Tunnel)" if lang == "de" else "Unchecked (tunnel)"
    assert by_name["DeepSeek"][tunnelled] == "4"
    unknown = "Unbekannter KI-Host" if lang == "de" else "Unknown AI host"
    assert by_name["chat.newai.example"][unknown] == ("ja" if lang == "de" else "yes")
    assert by_name["Claude"][users] == "< 3" and by_name["Claude"][requests] == ""
    personal = next(h for h in rows[0] if h.endswith(("Personenbezogene Daten", "Personal data")))
    assert by_name["ChatGPT"][personal] == "2"
    change = "Veränderung in %" if lang == "de" else "Change in %"
    assert by_name["Perplexity"][change] == "350.0"  # 9 requests against 2


@pytest.mark.parametrize("lang", ["de", "en"])
def test_json(runner: CliRunner, seeded: Path, lang: str) -> None:
    data = json.loads(run(runner, seeded, "--format", "json", "--lang", lang))
    assert data["lang"] == lang
    assert data["candidates"] == ["deepseek", "perplexity", "host:chat.newai.example"]
    services = {s["service"] or s["host"]: s for s in data["services"]}
    assert services["chatgpt"]["users"] == 4 and services["chatgpt"]["status"] == "approved"
    assert services["chatgpt"]["findings"] == {"personal": 2, "secrets": 1}
    assert services["deepseek"]["trend"]["metric"] == "connections"
    assert services["perplexity"]["trend"]["previous"] == 2
    assert services["chat.newai.example"]["unknown_ai"] is True
    assert services["claude"]["withheld"] is True and services["claude"]["requests"] is None
    label = "Personenbezogene Daten" if lang == "de" else "Personal data"
    assert data["data_classes"]["personal"] == label


@pytest.mark.parametrize("lang", ["de", "en"])
def test_html(runner: CliRunner, seeded: Path, lang: str, tmp_path: Path) -> None:
    out = tmp_path / "inventory.html"
    assert run(runner, seeded, "--format", "html", "--lang", lang, "-o", str(out)) == ""
    page = out.read_text(encoding="utf-8")
    parser = _Html()
    parser.feed(page)
    assert parser.lang == lang
    assert {"style", "table", "footer"} <= parser.tags
    assert not {"script", "link", "img"} & parser.tags  # self-contained
    for word in HEADERS[lang]:
        assert word in parser.th
    for heading in SECTIONS[lang]:
        assert heading in parser.h2
    assert "chat.newai.example" in page


def test_status_from_policy_and_group_filter(
    runner: CliRunner, seeded: Path, policy_file: Path
) -> None:
    data = json.loads(run(runner, seeded, "--format", "json", "--policy", str(policy_file)))
    assert data["status_source"] == "policy" and data["policy_version"].startswith("1")
    chatgpt = next(s for s in data["services"] if s["service"] == "chatgpt")
    assert (chatgpt["status"], chatgpt["tool"]) == ("approved", "ChatGPT Team")
    sales = json.loads(run(runner, seeded, "--format", "json", "--group", "sales"))
    assert [s["service"] for s in sales["services"]] == ["chatgpt"]
    assert sales["group"] == "sales"
    table = run(runner, seeded, "--group", "sales", "--privacy-threshold", "5")
    assert "Abteilung: sales" in table and "< 5" in table


def test_min_users_and_privacy_threshold(runner: CliRunner, seeded: Path) -> None:
    data = json.loads(run(runner, seeded, "--format", "json", "--min-users", "4"))
    assert data["candidates"] == ["deepseek"]
    everyone = json.loads(run(runner, seeded, "--format", "json", "--privacy-threshold", "1"))
    claude = next(s for s in everyone["services"] if s["service"] == "claude")
    assert claude["users"] == 1 and not claude["withheld"]


@pytest.mark.parametrize("fmt", ["table", "csv", "json", "html"])
@pytest.mark.parametrize("lang", ["de", "en"])
@pytest.mark.parametrize("threshold", ["1", "3"])
def test_no_pseudonym_in_any_output(
    runner: CliRunner, seeded: Path, fmt: str, lang: str, threshold: str
) -> None:
    result = runner.invoke(
        inventory,
        ["--db", str(seeded), "--format", fmt, "--lang", lang, "--privacy-threshold", threshold],
    )
    assert result.exit_code == 0
    raw = result.stdout_bytes + result.stderr_bytes
    assert b"PSEUDONYM" not in raw and b"7f3a" not in raw
    assert b"ChatGPT" in raw


@pytest.mark.parametrize("lang", ["de", "en"])
def test_empty_database(runner: CliRunner, tmp_path: Path, lang: str) -> None:
    path = tmp_path / "empty.db"
    FindingsStore(path).close()
    out = run(runner, path, "--lang", lang)
    line = "keine KI-Nutzung erfasst" if lang == "de" else "No AI usage recorded"
    assert line in out
    html = run(runner, path, "--lang", lang, "--format", "html")
    assert line in html
    assert json.loads(run(runner, path, "--format", "json"))["services"] == []
    rows = list(csv.reader(io.StringIO(run(runner, path, "--format", "csv", "--lang", lang))))
    assert len(rows) == 1


def test_period_options(runner: CliRunner, seeded: Path) -> None:
    data = json.loads(run(runner, seeded, "--format", "json", "--since", "1d"))
    assert data["services"] == []  # everything was seeded two days ago
    fixed = json.loads(
        run(runner, seeded, "--format", "json", "--since", "2026-01-01", "--until", "2026-01-31")
    )
    assert fixed["period"] == {
        "since": "2026-01-01T00:00:00.000+00:00",
        "until": "2026-02-01T00:00:00.000+00:00",
        "previous_since": "2025-12-01T00:00:00.000+00:00",
    }


def test_missing_database_exits_2(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(inventory, ["--db", str(tmp_path / "nope.db")])
    assert result.exit_code == 2
    assert "no findings database" in result.output and "nope.db" in result.output


def test_not_a_database_exits_2(runner: CliRunner, tmp_path: Path) -> None:
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"no sqlite here " * 200)
    result = runner.invoke(inventory, ["--db", str(junk)])
    assert result.exit_code == 2 and "not a Leitplanke database" in result.output


@pytest.mark.parametrize(
    "args",
    [
        ["--since", "soon"],
        ["--since", "0d"],
        ["--until", "whenever"],
        ["--since", "2026-02-01", "--until", "2026-01-01"],
        ["--min-users", "0"],
        ["--format", "pdf"],
    ],
)
def test_bad_options_exit_2(runner: CliRunner, seeded: Path, args: list[str]) -> None:
    result = runner.invoke(inventory, ["--db", str(seeded), *args])
    assert result.exit_code == 2, result.output


def test_invalid_policy_exits_2(runner: CliRunner, seeded: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("version: 1\n", encoding="utf-8")
    result = runner.invoke(inventory, ["--db", str(seeded), "--policy", str(bad)])
    assert result.exit_code == 2
    assert f"error: {bad}:1:1: missing required key" in result.output
    assert result.output.endswith(f"{bad}: 3 error(s)\n")


def test_help_documents_the_command(runner: CliRunner) -> None:
    result = runner.invoke(inventory, ["--help"])
    assert result.exit_code == 0
    for word in ("--since", "--format", "--min-users", "§87 BetrVG", "candidate"):
        assert word in result.output


def test_catalog_facts_show_once_the_catalog_has_them(seeded: Path) -> None:
    # The bigger catalog adds category, hq_country, …; a stand-in service carries them here.
    real = default_catalog().services["chatgpt"]
    service = SimpleNamespace(
        id="chatgpt",
        name=real.name,
        vendor=real.vendor,
        hosts=real.hosts,
        host_patterns=real.host_patterns,
        category="chat",
        hq_country="US",
        processing_region=None,
        eu_data_residency=True,
    )
    catalog = Catalog([cast(Service, service)])
    db = open_database(seeded)
    try:
        inv = build_inventory(db, timedelta(days=30), catalog=catalog, privacy_threshold=1)
    finally:
        db.conn.close()
    chatgpt = next(r for r in inv.rows if r.service == "chatgpt")
    assert chatgpt.facts == {"category": "chat", "hq_country": "US", "eu_data_residency": True}
    labels = data_class_labels(None, "de")
    assert "Kategorie" in render(inv, "table", "de", labels)
    data = json.loads(render(inv, "json", "en", labels))
    first = next(s for s in data["services"] if s["service"] == "chatgpt")
    assert (first["category"], first["processing_region"]) == ("chat", None)
    rows = list(csv.DictReader(io.StringIO(render(inv, "csv", "de", labels))))
    assert rows[0]["Kategorie"] == "Chat" and rows[0]["Daten in der EU"] == "ja"
    # Services missing from the (stand-in) catalog keep their id as the name.
    assert any(r.name == "deepseek" and r.vendor is None for r in inv.rows)
