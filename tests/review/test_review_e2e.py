"""The review UI in a real browser: headless Chromium against `leitplanke review`.

Logs in through the login form, finds the seeded finding in the queue, triages it
with a note, checks the state after a reload and in SQLite, exports CSV and opens
the dashboard with its charts rendered.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from datasette_auth_passwords.utils import hash_password

from tests.e2e.support import chromium, require_chromium, review_server
from tests.review.conftest import MASKED_IBAN, PASSWORD, PSEUDONYM, RAW_IBAN, VALUE_HASH, seed

pytestmark = pytest.mark.e2e


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, Path, dict[str, int]]]:
    require_chromium()
    db = tmp_path / "leitplanke.db"
    ids = seed(db)
    hash_file = tmp_path / "dpo.hash"
    hash_file.write_text(hash_password(PASSWORD, iterations=1000))
    extra = ["--host", "127.0.0.1"]
    with review_server(db, hash_file, tmp_path / "review.log", extra) as base:
        yield base, db, ids


def test_dpo_logs_in_triages_exports_and_sees_charts(
    server: tuple[str, Path, dict[str, int]],
) -> None:
    base, db, ids = server
    decision = ids["iban"]
    with chromium() as browser:
        context = browser.new_context(locale="de-DE")
        # Offline: the page may load nothing but the review server itself.
        foreign: list[str] = []
        context.on(
            "request",
            lambda request: None if request.url.startswith(base) else foreign.append(request.url),
        )
        page = context.new_page()
        page.set_default_timeout(20_000)

        # Not logged in: every page sends the browser to the login form.
        page.goto(f"{base}/leitplanke/offene_findings")
        assert page.url == f"{base}/-/login"
        page.fill("#id_username", "dpo")
        page.fill("#id_password", "falsch")
        page.click("input[type=submit]")
        assert page.locator(".message-error").inner_text() == (
            "Benutzername oder Passwort ist falsch."
        )
        page.fill("#id_username", "dpo")
        page.fill("#id_password", PASSWORD)
        page.click("input[type=submit]")
        page.wait_for_url(f"{base}/")
        assert page.get_by_role("heading", level=1).inner_text().startswith("Leitplanke")

        # The queue shows the seeded finding, masked, with the group and no pseudonym.
        page.click(".lp-workspaces a:has-text('Offene Findings')")
        page.wait_for_url(f"{base}/leitplanke/offene_findings")
        row = page.locator("table.rows-and-columns tbody tr", has_text=MASKED_IBAN)
        assert row.count() == 1
        row_text = row.inner_text()
        assert "Vertrieb" in row_text and "blockiert" in row_text and "offen" in row_text
        assert PSEUDONYM not in page.content() and RAW_IBAN not in page.content()

        # Open the detail, triage it with a note.
        row.locator("a.lp-detail").click()
        page.wait_for_url(f"{base}/leitplanke/finding?id={decision}")
        assert PSEUDONYM in page.locator(".lp-pseudonym").inner_text()
        page.select_option("#lp-state", "false_positive")
        page.fill("#lp-note", "Testdaten aus der Schulung")
        page.click(".lp-triage-form input[type=submit]")
        page.wait_for_url(f"{base}/leitplanke/finding?id={decision}")
        assert "Bewertung gespeichert." in page.locator(".message-info").inner_text()
        page.goto(f"{base}/leitplanke/offene_findings")
        assert page.locator("tbody tr", has_text=MASKED_IBAN).count() == 0

        # Persisted: after a reload of the detail, and in SQLite.
        page.goto(f"{base}/leitplanke/finding?id={decision}")
        page.reload()
        assert page.locator(".lp-current-state").inner_text() == "Fehlalarm"
        history = page.locator("table.lp-history").inner_text()
        assert "Testdaten aus der Schulung" in history and "dpo" in history
        with sqlite3.connect(db) as conn:
            assert conn.execute(
                "select state, note, updated_by from triage where decision_id = ?",
                [decision],
            ).fetchone() == ("false_positive", "Testdaten aus der Schulung", "dpo")

        # CSV export: a download for Excel (all findings, with triage).
        page.goto(f"{base}/leitplanke/alle_findings")
        with page.expect_download() as download:
            page.click("a.lp-csv")
        exported = Path(download.value.path()).read_bytes()
        assert exported.startswith("\ufeffNr.;Zeit;Gruppe".encode())
        assert MASKED_IBAN.encode() in exported and b"Fehlalarm" in exported
        for secret in (RAW_IBAN, VALUE_HASH, PSEUDONYM):
            assert secret.encode() not in exported

        # Dashboard: from Datasette's menu (the plugin's menu links).
        page.click("details.nav-menu > summary")
        page.click("details.nav-menu a:has-text('Dashboard')")
        page.wait_for_url(f"{base}/-/leitplanke/dashboard")
        charts = page.locator(".lp-chart svg")  # four charts, rendered with a size
        assert charts.count() == 4
        for i in range(4):
            box = charts.nth(i).bounding_box()
            assert box is not None and box["width"] > 100 and box["height"] > 50
        assert page.locator(".lp-chart svg text", has_text="Vertrieb").count() == 0
        assert foreign == []
