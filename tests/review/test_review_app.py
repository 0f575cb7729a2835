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
        "/leitplanke/triage",
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
    assert [r["Nr"] for r in rows] == [ids["health"], ids["iban"]]  # newest first, no clean one
    iban = rows[1]
    assert iban["Gruppe"] == "Vertrieb"
    assert iban["Dienst"] == OPENAI
    assert iban["Tool-Status"] == "nicht freigegeben"
    assert iban["Datenklassen"] == "personal"
    assert iban["Aktion"] == "blockiert" and iban["Durchgesetzt"] == "blockiert"
    assert iban["Maskierte Auszüge"] == f"IBAN_CODE: {MASKED_IBAN}"
    assert iban["Regel"] == "personal:unapproved-tool"
    assert iban["Bewertung"] == "offen"
    assert rows[0]["Aktion"] == "gewarnt" and rows[0]["Durchgesetzt"] == "geschwärzt"
    assert "Pseudonym" not in iban
    page = await ds.client.get("/leitplanke/offene_findings", cookies=dpo(ds))
    assert f'href="/leitplanke/finding?id={ids["iban"]}"' in page.text
    assert PSEUDONYM not in page.text


async def test_detail_shows_findings_pseudonym_and_triage_form(ds: Any, seeded_db: Seeded) -> None:
    ids = seeded_db[1]
    rows = await get_json(ds, f"/leitplanke/finding.json?id={ids['iban']}&_shape=array")
    assert len(rows) == 1
    row = rows[0]
    assert row["Pseudonym"] == PSEUDONYM
    assert row["Entitätstyp"] == "IBAN_CODE"
    assert row["Anzahl"] == 2 and row["Score"] == 0.95
    assert row["Maskierter Auszug"] == MASKED_IBAN
    assert row["Fundstelle"] == "messages[0].content:12-34"
    assert VALUE_HASH not in json.dumps(rows)
    page = await ds.client.get(f"/leitplanke/finding?id={ids['iban']}", cookies=dpo(ds))
    assert 'action="/leitplanke/triage"' in page.text
    for state in ("confirmed", "false_positive", "resolved", "accepted_risk"):
        assert f'value="{state}"' in page.text


async def test_triage_writes_state_note_actor_and_leaves_the_queue(
    ds: Any, seeded_db: Seeded
) -> None:
    db_path, ids = seeded_db
    response = await triage(ds, ids["iban"], "confirmed", "Kunde informiert, Ticket 12")
    assert response.status_code == 302
    assert response.headers["location"] == "/leitplanke/offene_findings"
    with sqlite3.connect(db_path) as conn:
        state, note, by, at = conn.execute(
            "select state, note, updated_by, updated_at from triage where decision_id = ?",
            [ids["iban"]],
        ).fetchone()
    assert (state, note, by) == ("confirmed", "Kunde informiert, Ticket 12", "dpo")
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", at)
    queue = await get_json(ds, "/leitplanke/offene_findings.json?_shape=array")
    assert [r["Nr"] for r in queue] == [ids["health"]]
    everything = await get_json(ds, "/leitplanke/alle_findings.json?_shape=array")
    by_id = {r["Nr"]: r for r in everything}
    assert by_id[ids["iban"]]["Bewertung"] == "bestätigt"
    assert by_id[ids["iban"]]["Notiz"] == "Kunde informiert, Ticket 12"
    # A second triage updates the same row (upsert), e.g. back to open.
    await triage(ds, ids["iban"], "open", "doch offen")
    queue = await get_json(ds, "/leitplanke/offene_findings.json?_shape=array")
    assert ids["iban"] in [r["Nr"] for r in queue]
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("select count(*) from triage").fetchone() == (1,)


# The SQL function's ValueError is what makes the write fail; Datasette turns on
# SQLite callback tracebacks, so Python reports it as unraisable too.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
@pytest.mark.parametrize("state", ["deleted", "", "confirmed'; drop table triage; --"])
async def test_triage_rejects_states_outside_the_five(
    ds: Any, seeded_db: Seeded, state: str
) -> None:
    db_path, ids = seeded_db
    response = await triage(ds, ids["iban"], state, "x")
    assert response.status_code == 302
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("select count(*) from triage").fetchone() == (0,)
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
        "/leitplanke/triage",
        data={"decision_id": "999", "state": "resolved", "note": "", "csrftoken": token.group(1)},
        cookies={**dpo(ds), "ds_csrftoken": page.cookies["ds_csrftoken"]},
    )
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("select decision_id from triage").fetchall() == [(ids["iban"],)]


async def test_triage_requires_login(ds: Any, seeded_db: Seeded) -> None:
    response = await ds.client.post(
        "/leitplanke/triage",
        content=json.dumps({"decision_id": 1, "state": "resolved", "note": ""}),
        headers={"content-type": "application/json"},
    )
    assert response.status_code in (302, 403)
    with sqlite3.connect(seeded_db[0]) as conn:
        assert conn.execute("select count(*) from triage").fetchone() == (0,)


async def test_approval_requests_are_counted_per_tool(ds: Any) -> None:
    rows = await get_json(ds, "/leitplanke/freigabe_anfragen.json?_shape=array")
    assert [(r["Tool"], r["Anfragen"], r["Offen"]) for r in rows] == [
        (OPENAI, 2, 2),
        ("Eigenes Tool", 1, 1),
    ]


async def test_coaching_justifications_are_listed_masked(ds: Any) -> None:
    rows = await get_json(ds, "/leitplanke/coaching_begruendungen.json?_shape=array")
    assert len(rows) == 1
    assert rows[0]["Begründung (maskiert)"] == "Anonymisierte Fallbesprechung mit <PERSON>"
    assert rows[0]["Gruppe"] == "Personal"
    assert "u-0000beef" not in json.dumps(rows)


@pytest.mark.parametrize("fmt", ["csv", "json"])
async def test_queue_exports_hold_no_raw_values_hashes_or_pseudonyms(ds: Any, fmt: str) -> None:
    for name in ("offene_findings", "alle_findings"):
        response = await ds.client.get(f"/leitplanke/{name}.{fmt}", cookies=dpo(ds))
        assert response.status_code == 200
        body = response.content
        for secret in (RAW_IBAN, VALUE_HASH, PSEUDONYM, "u-0000beef", "value_hash"):
            assert secret.encode() not in body, (name, fmt, secret)
        assert MASKED_IBAN.encode() in body


async def test_csv_export_has_the_queue_rows(ds: Any, seeded_db: Seeded) -> None:
    response = await ds.client.get("/leitplanke/offene_findings.csv", cookies=dpo(ds))
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert {int(r["Nr"]) for r in rows} == {seeded_db[1]["iban"], seeded_db[1]["health"]}
    assert "Maskierte Auszüge" in rows[0]
    page = await ds.client.get("/leitplanke/offene_findings", cookies=dpo(ds))
    assert "/leitplanke/offene_findings.csv" in page.text  # Datasette's export link


async def test_dashboard_renders_four_svg_charts(ds: Any) -> None:
    page = await ds.client.get("/-/leitplanke/dashboard", cookies=dpo(ds))
    assert page.status_code == 200
    assert len(re.findall(r'<section class="lp-chart">\s*<h2>[^<]+</h2>\s*<svg', page.text)) == 4
    assert "Findings pro Kalenderwoche nach Datenklasse" in page.text
    assert "2025-W10" in page.text and "2025-W11" in page.text  # ISO weeks on the axis
    assert OPENAI in page.text  # top tools by catalog name
    assert "blockiert" in page.text and "geschwärzt" in page.text
    assert "<script" not in page.text.split("<svg", 1)[1].rsplit("</svg>", 1)[0]
    # Offline: nothing is loaded from elsewhere (only Datasette's footer links out).
    external = re.findall(r'(?:src|href)="(https?://[^"]+)"', page.text)
    assert external == ["https://datasette.io/"]
    assert PSEUDONYM not in page.text


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
    rows = (
        await en.client.get("/leitplanke/offene_findings.json?_shape=array", cookies=dpo(en))
    ).json()
    assert rows[1]["Group"] == "Vertrieb" and rows[1]["Action"] == "blocked"
    assert rows[1]["Triage"] == "open" and rows[1]["Tool status"] == "unapproved"
    home = await en.client.get("/", cookies=dpo(en))
    assert "Open findings" in home.text and "data protection review" in home.text
    dash = await en.client.get("/-/leitplanke/dashboard", cookies=dpo(en))
    assert "Findings per ISO week by data class" in dash.text and "redacted" in dash.text
    login = await en.client.get("/-/login")
    assert "Username" in login.text


def test_metadata_hides_the_hash_and_denies_sql() -> None:
    meta = build_metadata("de", None)
    assert meta["allow"] == {"id": "*"} and meta["allow_sql"] is False
    auth = meta["plugins"]["datasette-auth-passwords"]
    assert auth["dpo_password_hash"] == {"$env": PASSWORD_HASH_ENV}
    queries = meta["databases"]["leitplanke"]["queries"]
    assert set(queries) == {
        "offene_findings",
        "alle_findings",
        "finding",
        "triage",
        "freigabe_anfragen",
        "coaching_begruendungen",
    }
    assert [name for name, q in queries.items() if q.get("write")] == ["triage"]
    assert all(q["allow"] == {"id": "*"} for q in queries.values())
    assert all("value_hash" not in q["sql"] for q in queries.values())


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
