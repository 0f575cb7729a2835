"""The DPO's daily work in a real browser (headless Chromium against `leitplanke review`).

A store of 1,300 decisions made by the real policy function (Muster GmbH's policy):
filter the queue and page past 1,000 rows, export every row and read the CSV as German
Excel would (BOM, `;`), triage twice and see both entries, bulk-triage a filtered
set, a second reviewer account, and an approval request created through the store
API, approved in the UI and read back through the store API. Screenshots of the
queue, a finding and the dashboard go to tmp_path (and to docs/images/ with
LEITPLANKE_SCREENSHOTS=1).
"""

from __future__ import annotations

import csv
import io
import os
import random
import shutil
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from datasette_auth_passwords.utils import hash_password

from checker.findings import Finding
from policy.decide import decide
from policy.loader import load_policy
from store.findings_store import FindingsStore
from store.records import ApprovalRequestRecord, DecisionRecord, finding_records
from tests.e2e.support import ROOT, chromium, require_chromium, review_server

pytestmark = pytest.mark.e2e

POLICY = ROOT / "policy" / "examples" / "muster-gmbh.de.yaml"
KEY = b"w" * 32
PASSWORDS = {"dpo": "korrekt-Pferd-Batterie-42", "stellvertretung": "Vertretung-im-Urlaub-7"}
# (entity, data class, raw value): the raw values must never reach a page or export.
VALUES = [
    ("IBAN_CODE", "personal", "DE89370400440532013000"),
    ("EMAIL_ADDRESS", "personal", "erika.mustermann@beispiel.de"),
    ("PERSON", "personal", "Erika Mustermann"),
    ("HEALTH_DATA", "special", "F32.1 depressive Episode"),
    ("SECRET", "secrets", "Sommer2024!"),
    ("CUSTOM_PATTERN", "customer_numbers", "KD-123456"),
]
SERVICES = ["deepseek-api", "openai-api", "deepl", "anthropic-api"]
GROUPS = ["hr", None, None]
N = 1300


# The recognizers that find these entities (checker/engine.py), by class name.
RECOGNIZERS = {
    "IBAN_CODE": "IbanRecognizer",
    "EMAIL_ADDRESS": "EmailRecognizer",
    "PERSON": "PersonCueRecognizer",
    "HEALTH_DATA": "HealthDataRecognizer",
    "SECRET": "CredentialRecognizer",
    "CUSTOM_PATTERN": "policy_patterns:customer_numbers",
}


def explanation(entity: str) -> dict[str, object]:
    iban = entity == "IBAN_CODE"
    return {
        "recognizer": RECOGNIZERS[entity],
        "pattern_name": None,
        "original_score": 0.5,
        "context_word": "iban" if iban else None,
        "checksum": "valid" if iban else None,
    }


def seed(db: Path) -> None:
    policy = load_policy(POLICY).policy
    rng = random.Random(17)
    start = datetime(2025, 3, 1, 8, 0, tzinfo=UTC)
    rows = []
    for i in range(N):
        service = SERVICES[0] if i % 5 else rng.choice(SERVICES)
        group = rng.choice(GROUPS)
        picked = rng.sample(VALUES, rng.choice([1, 1, 2]))
        findings = [
            Finding(entity, cls, 10 * k, 10 * k + len(raw), 0.85, 0, raw, explanation(entity))
            for k, (entity, cls, raw) in enumerate(picked)
        ]
        decision = decide(policy, service, group, findings)
        rows.append(
            DecisionRecord(
                service=service,
                host=f"{service}.example",
                api="openai_chat",
                tool=decision.tool,
                tool_status=decision.tool_status,
                user_pseudonym=f"u-{rng.randrange(40):04x}",
                user_group=group,
                action=decision.action,
                reasons=decision.recorded_reasons,
                data_classes=decision.data_classes,
                policy_version="3@muster",
                findings=finding_records(KEY, findings, ["messages[0].content"]),
                ts=(start + timedelta(minutes=37 * i)).isoformat(timespec="milliseconds"),
            )
        )
    store = FindingsStore(db)
    store.record_many(rows)
    store.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path, Path]]:
    require_chromium()
    tmp = tmp_path_factory.mktemp("review")
    db = tmp / "leitplanke.db"
    seed(db)
    hashes = {}
    for name, password in PASSWORDS.items():
        hashes[name] = tmp / f"{name}.hash"
        hashes[name].write_text(hash_password(password, iterations=1000))
    log_path = tmp / "review.log"
    extra = ["--policy", str(POLICY), "--account", f"stellvertretung={hashes['stellvertretung']}"]
    with review_server(db, hashes["dpo"], log_path, extra) as base:
        yield base, db, log_path


def login(browser, base: str, account: str):  # type: ignore[no-untyped-def]
    context = browser.new_context(
        locale="de-DE", viewport={"width": 1400, "height": 900}, accept_downloads=True
    )
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.goto(f"{base}/-/login")
    page.fill("#id_username", account)
    page.fill("#id_password", PASSWORDS[account])
    page.click("input[type=submit]")
    page.wait_for_url(f"{base}/")
    return context, page


def shoot(page, tmp: Path, name: str) -> None:  # type: ignore[no-untyped-def]
    target = tmp / name
    page.screenshot(path=str(target))
    if os.environ.get("LEITPLANKE_SCREENSHOTS") == "1":
        shutil.copy(target, ROOT / "docs" / "images" / name)


def count(page) -> int:  # type: ignore[no-untyped-def]
    text = page.locator("h2.lp-count").inner_text()
    return int(text.split()[0].replace(".", ""))


def test_dpo_workflow(server: tuple[str, Path, Path], tmp_path: Path) -> None:
    base, db, log_path = server
    with chromium() as browser:
        context, page = login(browser, base, "dpo")

        # The queue in German words; filter by a facet (the tool DeepSeek).
        page.goto(f"{base}/leitplanke/offene_findings")
        assert page.locator("html").get_attribute("lang") == "de"
        assert page.title().startswith("Offene Findings (")
        total = count(page)
        assert total > 1000
        shoot(page, tmp_path, "review-queue.png")
        page.locator("#facet-tool a", has_text="DeepSeek").click()
        filtered = count(page)
        assert 1000 < filtered < total
        # Page through every row: 100 per page, past 1,000.
        seen: set[str] = set()
        pages = 0
        while True:
            pages += 1
            seen |= set(page.locator("td.col-id a").all_inner_texts())
            next_link = page.locator("a.lp-next-page")
            if next_link.count() == 0:
                break
            next_link.click()
            page.wait_for_load_state()
        assert len(seen) == filtered and pages == -(-filtered // 100)
        for cell in page.locator("td.col-tool").all_inner_texts():
            assert cell == "DeepSeek"

        # Export every filtered row; read it as German Excel does.
        page.goto(f"{base}/leitplanke/offene_findings?tool=deepseek")
        with page.expect_download() as download:
            page.click("a.lp-csv")
        assert download.value.suggested_filename.startswith("offene-findings-")
        data = Path(download.value.path()).read_bytes()
        assert data.startswith(b"\xef\xbb\xbf")
        rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
        assert len(rows) == filtered
        assert {r["Tool"] for r in rows} == {"DeepSeek"}
        assert all(r["Zeit"][2] == "." and r["Zeit"][5] == "." for r in rows)  # 04.03.2025
        assert {r["Durchgesetzt"] for r in rows} <= {"blockiert", "protokolliert"}
        for _, _, raw in VALUES:
            assert raw.encode() not in data
        # Password excerpts are stored as "**** (11 chars)"; German readers get words.
        assert b"(11 Zeichen)" in data and b" chars)" not in data

        # One finding: what, where, why, rule, what the person saw; triage twice.
        first_id = rows[0]["Nr."]
        page.goto(f"{base}/leitplanke/finding?id={first_id}")
        assert page.title() == f"Finding Nr. {first_id} – Leitplanke"
        why = page.locator(".lp-why").first.inner_text()
        # The recognizer in words, never its class name.
        assert "Erkenner" in why and "Score" in why and "Recognizer" not in why
        assert "nicht erlaubt" in page.locator(".lp-rule").inner_text()
        assert "Sperrhinweis" in page.locator(".lp-seen").inner_text()
        assert "-mal in" in page.locator(".lp-repeated").inner_text()
        shoot(page, tmp_path, "review-finding.png")
        page.select_option("#lp-state", "accepted_risk")
        page.fill("#lp-note", "Mit der Fachabteilung besprochen")
        page.click(".lp-triage-form input[type=submit]")
        page.wait_for_url(f"{base}/leitplanke/finding?id={first_id}")
        assert page.locator("#lp-state").input_value() == "accepted_risk"
        page.select_option("#lp-state", "confirmed")
        page.fill("#lp-note", "Doch ein Verstoß, Schulung geplant")
        page.click(".lp-triage-form input[type=submit]")
        history = page.locator("table.lp-history tbody tr")
        assert history.count() == 2
        assert "Risiko akzeptiert → bestätigt" in history.nth(0).inner_text()
        assert "offen → Risiko akzeptiert" in history.nth(1).inner_text()
        assert "Mit der Fachabteilung besprochen" in history.nth(1).inner_text()

        # Bulk triage: everything the HR group sent that is still open.
        page.goto(f"{base}/leitplanke/offene_findings?user_group=hr")
        hr_open = count(page)
        assert hr_open > 0
        page.select_option("#lp-bulk-state", "resolved")
        page.fill("#lp-bulk-note", "Schulung Personalabteilung März")
        page.click(".lp-bulk-form input[type=submit]")
        assert f"{hr_open} Findings bewertet." in page.locator(".message-info").inner_text()
        assert page.locator(".zero-results").count() == 1
        with sqlite3.connect(db) as conn:
            (bulk,) = conn.execute(
                "select count(*) from triage_history where note = ?",
                ["Schulung Personalabteilung März"],
            ).fetchone()
        assert bulk == hr_open

        # The deputy has their own login; their triage is theirs in the history.
        deputy_context, deputy = login(browser, base, "stellvertretung")
        deputy.goto(f"{base}/leitplanke/finding?id={first_id}")
        deputy.select_option("#lp-state", "resolved")
        deputy.click(".lp-triage-form input[type=submit]")
        entry = deputy.locator("table.lp-history tbody tr").first.inner_text()
        assert "stellvertretung" in entry and "bestätigt → erledigt" in entry
        assert "stellvertretung" in deputy.locator(".actor").inner_text()
        deputy_context.close()

        # An approval request from the portal's side (store API) ...
        store = FindingsStore(db)
        request_id = store.record_approval_request(
            ApprovalRequestRecord(
                service="deepl",
                tool_name="DeepL",
                reason="Übersetzungen",
                department="Vertrieb",
                user_pseudonym="u-00aa",
                user_group=None,
            )
        )
        store.close()
        # ... approved in the UI with a reply ...
        page.goto(f"{base}/leitplanke/freigabe_anfragen")
        page.locator(f"td.col-id a:text-is('{request_id}')").click()
        page.select_option("#lp-status", "approved")
        page.fill("#lp-reply", "Freigegeben für Texte ohne Personenbezug")
        page.click(".lp-decide-form input[type=submit]")
        assert page.locator(".lp-status").inner_text() == "genehmigt"
        snippet = page.locator("pre.lp-snippet").inner_text()
        assert "deepl:" in snippet and "status: approved" in snippet
        # ... and read back by the portal's side.
        store = FindingsStore(db)
        state = store.approval_state(request_id)
        store.close()
        assert state is not None and state.status == "approved"
        assert state.reply == "Freigegeben für Texte ohne Personenbezug"

        # The dashboard: charts with a table for screen readers.
        page.goto(f"{base}/-/leitplanke/dashboard")
        # (No coaching in this store: that chart says so instead.)
        assert page.locator(".lp-chart svg").count() == 3
        assert page.locator("table.lp-chart-table").count() == 3
        assert page.locator(".lp-no-data").count() == 1
        shoot(page, tmp_path, "review-dashboard.png")
        context.close()
    assert "Traceback" not in log_path.read_text(errors="replace")
