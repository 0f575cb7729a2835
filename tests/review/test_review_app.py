"""The review UI through Datasette's test client: login, views, triage, export, charts."""

from __future__ import annotations

import csv
import io
import json
import re
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from datasette_auth_passwords.utils import hash_password, verify_password

from cli.review_command import review
from policy.catalog import default_catalog
from review.app import PASSWORD_HASH_ENV, build_datasette, build_metadata
from tests.review.conftest import MASKED_IBAN, PASSWORD, PSEUDONYM, RAW_IBAN, VALUE_HASH

Seeded = tuple[Path, dict[str, int]]
OPENAI = default_catalog().services["openai-api"].name


@pytest.fixture
def ds(seeded_db: Seeded, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv(PASSWORD_HASH_ENV, hash_password(PASSWORD, iterations=1000))
    return build_datasette(seeded_db[0])


def dpo(ds: Any) -> dict[str, str]:
    return {"ds_actor": ds.sign({"a": {"id": "dpo"}}, "actor")}


async def get_json(ds: Any, path: str) -> Any:
    response = await ds.client.get(path, cookies=dpo(ds))
    assert response.status_code == 200, response.text[:500]
    return response.json()


async def triage(ds: Any, decision_id: int, state: str, note: str) -> Any:
    """Post the detail page's triage form, CSRF token included, like a browser."""
    page = await ds.client.get(f"/leitplanke/finding?id={decision_id}", cookies=dpo(ds))
    token = re.search(r'name="csrftoken" value="([^"]+)"', page.text)
    assert token, "no triage form on the detail page"
    cookies = {**dpo(ds), "ds_csrftoken": page.cookies["ds_csrftoken"]}
    return await ds.client.post(
        "/-/leitplanke/triage",
        data={
            "decision_id": str(decision_id),
            "state": state,
            "note": note,
            "csrftoken": token.group(1),
        },
        cookies=cookies,
    )


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/leitplanke",
        "/leitplanke/offene_findings",
        "/leitplanke/offene_findings.csv",
        "/leitplanke/offene_findings.json",
        "/leitplanke/finding?id=1",
        "/-/leitplanke/dashboard",
        "/-/metadata",
    ],
)
async def test_everything_requires_login(ds: Any, path: str) -> None:
    response = await ds.client.get(path)
    assert response.status_code == 302
    assert response.headers["location"] == "/-/login"


async def test_login_form_logs_the_dpo_in(ds: Any) -> None:
    form = await ds.client.get("/-/login")
    assert form.status_code == 200
    assert "Benutzername" in form.text and "Passwort" in form.text
    token = re.search(r'name="csrftoken" value="([^"]+)"', form.text)
    assert token
    csrf = {"ds_csrftoken": form.cookies["ds_csrftoken"]}
    wrong = await ds.client.post(
        "/-/login",
        data={"username": "dpo", "password": "falsch", "csrftoken": token.group(1)},
        cookies=csrf,
    )
    assert "Benutzername oder Passwort ist falsch" in wrong.text
    ok = await ds.client.post(
        "/-/login",
        data={"username": "dpo", "password": PASSWORD, "csrftoken": token.group(1)},
        cookies=csrf,
    )
    assert ok.status_code == 302
    home = await ds.client.get("/", cookies={"ds_actor": ok.cookies["ds_actor"]})
    assert home.status_code == 200
    assert "Offene Findings" in home.text and "/-/leitplanke/dashboard" in home.text


@pytest.mark.parametrize(
    "path",
    [
        "/leitplanke/decisions",
        "/leitplanke/findings",
        "/leitplanke/findings.json",
        "/leitplanke/triage_table_does_not_exist_but_triage_is_a_query",
        "/leitplanke.db",
        "/leitplanke?sql=select+value_hash+from+findings",
        "/leitplanke.json?sql=select+1",
    ],
)
async def test_raw_tables_sql_and_download_are_closed(ds: Any, path: str) -> None:
    response = await ds.client.get(path, cookies=dpo(ds))
    assert response.status_code in (403, 404), path
    assert VALUE_HASH not in response.text


async def test_database_page_lists_queries_not_tables(ds: Any) -> None:
    page = await ds.client.get("/leitplanke", cookies=dpo(ds))
    assert "Offene Findings" in page.text
    assert 'href="/leitplanke/findings"' not in page.text
    assert 'href="/leitplanke/decisions"' not in page.text


async def test_queue_lists_open_findings_with_group_not_pseudonym(
    ds: Any, seeded_db: Seeded
) -> None:
    ids = seeded_db[1]
    rows = await get_json(ds, "/leitplanke/offene_findings.json?_shape=array")
    assert [r["id"] for r in rows] == [ids["health"], ids["iban"]]  # newest first, no clean one
    iban = rows[1]
    assert iban["user_group"] == "Vertrieb" and iban["service"] == "openai-api"
    assert iban["tool_status"] == "unapproved"
    assert json.loads(iban["data_classes"]) == ["personal"]
    assert iban["action"] == "block" and iban["enforced"] == "block"
    assert iban["excerpts"] == f"IBAN_CODE: {MASKED_IBAN}"
    assert iban["state"] == "open"
    assert rows[0]["action"] == "warn" and rows[0]["enforced"] == "redact"
    assert "user_pseudonym" not in iban and PSEUDONYM not in json.dumps(rows)
    # The page shows words: catalog name, labels, local time in German format.
    page = await ds.client.get("/leitplanke/offene_findings", cookies=dpo(ds))
    assert f'href="/leitplanke/finding?id={ids["iban"]}"' in page.text
    for word in (OPENAI, "nicht freigegeben", "blockiert", "geschwärzt", "04.03.2025 10:15"):
        assert word in page.text, word
    assert "IBAN_CODE" not in page.text.split("<tbody>")[1]
    assert PSEUDONYM not in page.text


async def test_detail_shows_what_where_why_and_the_triage_form(ds: Any, seeded_db: Seeded) -> None:
    ids = seeded_db[1]
    page = await ds.client.get(f"/leitplanke/finding?id={ids['iban']}", cookies=dpo(ds))
    assert page.status_code == 200
    text = page.text
    assert PSEUDONYM in text and MASKED_IBAN in text
    assert "IBAN" in text and "Personenbezogene Daten" in text  # words, policy label
    assert "messages[0].content, Zeichen 12–34" in text
    assert "0,95" in text  # score, German decimal
    assert "Sperrhinweis" in text  # what the person saw
    assert VALUE_HASH not in text and RAW_IBAN not in text
    assert 'action="/-/leitplanke/triage"' in text
    for state in ("open", "confirmed", "false_positive", "resolved", "accepted_risk"):
        assert f'value="{state}"' in text
    assert '<option value="open" selected>' in text  # the current state, not "confirmed"
    assert 'lang="de"' in text
    missing = await ds.client.get("/leitplanke/finding?id=999", cookies=dpo(ds))
    assert missing.status_code == 404 and "Finding nicht gefunden." in missing.text


async def test_triage_keeps_history_and_leaves_the_queue(ds: Any, seeded_db: Seeded) -> None:
    db_path, ids = seeded_db
    response = await triage(ds, ids["iban"], "accepted_risk", "Kunde informiert, Ticket 12")
    assert response.status_code == 302
    assert response.headers["location"] == f"/leitplanke/finding?id={ids['iban']}"
    queue = await get_json(ds, "/leitplanke/offene_findings.json?_shape=array")
    assert [r["id"] for r in queue] == [ids["health"]]
    # The form opens on the current state; saving it unchanged without a note keeps it.
    page = await ds.client.get(f"/leitplanke/finding?id={ids['iban']}", cookies=dpo(ds))
    assert '<option value="accepted_risk" selected>' in page.text
    await triage(ds, ids["iban"], "accepted_risk", "")
    await triage(ds, ids["iban"], "open", "doch offen")
    with sqlite3.connect(db_path) as conn:
        history = conn.execute(
            "select from_state, to_state, note, actor, ts from triage_history "
            "where decision_id = ? order by id",
            [ids["iban"]],
        ).fetchall()
    assert [h[:4] for h in history] == [
        ("open", "accepted_risk", "Kunde informiert, Ticket 12", "dpo"),
        ("accepted_risk", "open", "doch offen", "dpo"),
    ]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00", history[0][4])
    queue = await get_json(ds, "/leitplanke/offene_findings.json?_shape=array")
    assert ids["iban"] in [r["id"] for r in queue]
    page = await ds.client.get(f"/leitplanke/finding?id={ids['iban']}", cookies=dpo(ds))
    assert page.text.count("Kunde informiert, Ticket 12") == 1  # in the history table
    assert "Risiko akzeptiert → offen" in page.text


@pytest.mark.parametrize("state", ["deleted", "", "confirmed'; drop table triage; --"])
async def test_triage_rejects_states_outside_the_five(
    ds: Any, seeded_db: Seeded, state: str
) -> None:
    db_path, ids = seeded_db
    response = await triage(ds, ids["iban"], state, "x")
    assert response.status_code == 302
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("select count(*) from triage_history").fetchone() == (0,)
        assert conn.execute("select count(*) from decisions").fetchone() == (3,)
    page = await ds.client.get(
        response.headers["location"], cookies={**dpo(ds), **dict(response.cookies)}
    )
    assert "Bewertung nicht gespeichert" in page.text


async def test_triage_of_an_unknown_decision_writes_nothing(ds: Any, seeded_db: Seeded) -> None:
    db_path, ids = seeded_db
    await triage(ds, ids["iban"], "confirmed", "ok")  # the form exists for a real id
    page = await ds.client.get(f"/leitplanke/finding?id={ids['iban']}", cookies=dpo(ds))
    token = re.search(r'name="csrftoken" value="([^"]+)"', page.text)
    assert token
    await ds.client.post(
        "/-/leitplanke/triage",
        data={"decision_id": "999", "state": "resolved", "note": "", "csrftoken": token.group(1)},
        cookies={**dpo(ds), "ds_csrftoken": page.cookies["ds_csrftoken"]},
    )
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("select decision_id from triage").fetchall() == [(ids["iban"],)]


async def test_triage_requires_login(ds: Any, seeded_db: Seeded) -> None:
    response = await ds.client.post(
        "/-/leitplanke/triage",
        content=json.dumps({"decision_id": 1, "state": "resolved", "note": ""}),
        headers={"content-type": "application/json"},
    )
    assert response.status_code in (302, 403)
    with sqlite3.connect(seeded_db[0]) as conn:
        assert conn.execute("select count(*) from triage_history").fetchone() == (0,)


async def test_approval_requests_list_and_facets(ds: Any) -> None:
    rows = await get_json(ds, "/leitplanke/freigabe_anfragen.json?_shape=array")
    # The same person asked twice for the OpenAI API: one request, asked twice.
    assert sorted((r["service"] or r["tool_name"], r["status"], r["asked"]) for r in rows) == [
        ("Eigenes Tool", "open", 1),
        ("openai-api", "open", 2),
    ]
    page = await ds.client.get("/leitplanke/freigabe_anfragen", cookies=dpo(ds))
    assert OPENAI in page.text and "offen" in page.text
    assert 'href="/leitplanke/approval?id=1"' in page.text


async def test_coaching_justifications_are_listed_masked(ds: Any) -> None:
    rows = await get_json(ds, "/leitplanke/coaching_begruendungen.json?_shape=array")
    assert len(rows) == 1
    assert rows[0]["justification"] == "Anonymisierte Fallbesprechung mit <PERSON>"
    assert rows[0]["user_group"] == "Personal"
    assert "u-0000beef" not in json.dumps(rows)
    page = await ds.client.get("/leitplanke/coaching_begruendungen", cookies=dpo(ds))
    assert "Diagnose ×1" in page.text


@pytest.mark.parametrize("fmt", ["csv", "json"])
async def test_queue_exports_hold_no_raw_values_hashes_or_pseudonyms(ds: Any, fmt: str) -> None:
    for name in ("offene_findings", "alle_findings"):
        response = await ds.client.get(f"/leitplanke/{name}.{fmt}", cookies=dpo(ds))
        assert response.status_code == 200
        body = response.content
        for secret in (RAW_IBAN, VALUE_HASH, PSEUDONYM, "u-0000beef", "value_hash"):
            assert secret.encode() not in body, (name, fmt, secret)
        assert MASKED_IBAN.encode() in body


async def test_csv_export_is_for_german_excel(ds: Any, seeded_db: Seeded) -> None:
    response = await ds.client.get("/leitplanke/offene_findings.csv", cookies=dpo(ds))
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"].startswith(
        'attachment; filename="offene-findings-'
    )
    assert response.content.startswith(b"\xef\xbb\xbfNr.;Zeit;Gruppe;")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert {int(r["Nr."]) for r in rows} == {seeded_db[1]["iban"], seeded_db[1]["health"]}
    iban = next(r for r in rows if int(r["Nr."]) == seeded_db[1]["iban"])
    assert iban["Zeit"] == "04.03.2025 10:15"  # Europe/Berlin, German format
    assert iban["Dienst"] == OPENAI and iban["Durchgesetzt"] == "blockiert"
    assert iban["Maskierte Auszüge"] == f"IBAN: {MASKED_IBAN}"
    page = await ds.client.get("/leitplanke/offene_findings", cookies=dpo(ds))
    assert "/leitplanke/offene_findings.csv" in page.text


async def test_dashboard_renders_four_svg_charts_with_tables(ds: Any) -> None:
    page = await ds.client.get("/-/leitplanke/dashboard", cookies=dpo(ds))
    assert page.status_code == 200
    assert page.text.count('<div role="img"') == 4
    assert page.text.count('<table id="chart-table-') == 4  # text alternative
    assert "Nicht erlaubte Findings pro Kalenderwoche nach Datenklasse" in page.text
    assert "2025-W10" in page.text and "2025-W11" in page.text  # ISO weeks on the axis
    assert OPENAI in page.text  # top tools by catalog name
    assert "blockiert" in page.text and "geschwärzt" in page.text
    assert "<script" not in page.text.split("<svg", 1)[1].rsplit("</svg>", 1)[0]
    # Offline: nothing is loaded from elsewhere.
    assert re.findall(r'(?:src|href)="(https?://[^"]+)"', page.text) == []
    assert PSEUDONYM not in page.text and "Powered by" not in page.text


async def test_dashboard_without_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from store.findings_store import FindingsStore

    FindingsStore(tmp_path / "empty.db").close()
    monkeypatch.setenv(PASSWORD_HASH_ENV, "unused")
    empty = build_datasette(tmp_path / "empty.db")
    page = await empty.client.get("/-/leitplanke/dashboard", cookies=dpo(empty))
    assert page.status_code == 200
    assert "lp-chart" in page.text and page.text.count("Noch keine Daten.") == 4


async def test_english_labels(seeded_db: Seeded, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(PASSWORD_HASH_ENV, "unused")
    en = build_datasette(seeded_db[0], lang="en")
    page = await en.client.get("/leitplanke/offene_findings", cookies=dpo(en))
    assert 'lang="en"' in page.text
    for word in ("Group", "blocked", "unapproved", "open", "2025-03-04 10:15"):
        assert word in page.text, word
    home = await en.client.get("/", cookies=dpo(en))
    assert "Open findings" in home.text and "data protection review" in home.text
    dash = await en.client.get("/-/leitplanke/dashboard", cookies=dpo(en))
    assert "Findings not allowed per ISO week by data class" in dash.text
    assert "redacted" in dash.text
    login = await en.client.get("/-/login")
    assert "Username" in login.text


def test_metadata_hides_the_hash_and_denies_sql() -> None:
    meta = build_metadata("de", None, {"stellvertretung": "/etc/leitplanke/deputy.hash"})
    assert meta["allow"] == {"id": "*"} and meta["allow_sql"] is False
    auth = meta["plugins"]["datasette-auth-passwords"]
    assert auth["dpo_password_hash"] == {"$env": PASSWORD_HASH_ENV}
    assert auth["stellvertretung_password_hash"] == {"$file": "/etc/leitplanke/deputy.hash"}
    tables = meta["databases"]["leitplanke"]["tables"]
    views = {name for name, t in tables.items() if t.get("allow") == {"id": "*"}}
    assert views == {
        "offene_findings",
        "alle_findings",
        "freigabe_anfragen",
        "coaching_begruendungen",
    }
    assert all(t["allow"] is False for name, t in tables.items() if name not in views)
    assert "queries" not in meta["databases"]["leitplanke"]


async def test_password_hash_file(seeded_db: Seeded, tmp_path: Path) -> None:
    hash_file = tmp_path / "dpo.hash"
    hash_file.write_text(hash_password(PASSWORD, iterations=1000) + "\n")
    ds = build_datasette(seeded_db[0], password_hash_file=hash_file)
    form = await ds.client.get("/-/login")
    token = re.search(r'name="csrftoken" value="([^"]+)"', form.text)
    assert token
    ok = await ds.client.post(
        "/-/login",
        data={"username": "dpo", "password": PASSWORD, "csrftoken": token.group(1)},
        cookies={"ds_csrftoken": form.cookies["ds_csrftoken"]},
    )
    assert ok.status_code == 302 and "ds_actor" in ok.cookies
    meta = await ds.client.get("/-/metadata.json", cookies=dpo(ds))
    assert "pbkdf2" not in meta.text


def test_cli_hash_password_prints_a_verifiable_hash() -> None:
    result = CliRunner().invoke(review, ["--hash-password"], input="geheim\n")
    assert result.exit_code == 0, result.output
    assert verify_password("geheim", result.output.strip())


def test_cli_refuses_to_start_without_login_or_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(PASSWORD_HASH_ENV, raising=False)
    result = CliRunner().invoke(review, ["--db", str(tmp_path / "x.db")])
    assert result.exit_code == 2 and "--password-hash-file" in result.output
    monkeypatch.setenv(PASSWORD_HASH_ENV, "x")
    result = CliRunner().invoke(review, ["--db", str(tmp_path / "x.db")])
    assert result.exit_code == 2 and "not found" in result.output
    assert not (tmp_path / "x.db").exists()
