"""Scale-out: the DPO answers in the central store; `leitplanke merge --approvals-out`
publishes the answers, a node takes over those to its own requests, and asking again
on a node reaches the central store at the next merge. Real SQLite files throughout."""

from __future__ import annotations

import os
import sqlite3
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli.main import cli
from store.approval_answers import AnswersError, read_answers
from store.findings_store import FindingsStore
from store.records import ApprovalRequestRecord
from tests.store.test_merge import write_key

PERSON = "u-erika"


def request(service: str | None, reason: str, tool: str = "DeepL") -> ApprovalRequestRecord:
    return ApprovalRequestRecord(
        service=service,
        tool_name=tool,
        reason=reason,
        department="Vertrieb",
        user_pseudonym=PERSON,
        user_group=None,
    )


def merge(node: Path, central: Path, answers: Path) -> str:
    result = CliRunner().invoke(
        cli, ["merge", "--into", str(central), "--approvals-out", str(answers), str(node)]
    )
    assert result.exit_code == 0, result.output
    return result.output


def central_request(central: Path) -> dict[str, object]:
    store = FindingsStore(central)
    try:
        (row,) = store.approval_requests()
        return row
    finally:
        store.close()


@pytest.fixture
def setup(tmp_path: Path) -> tuple[Path, Path, Path]:
    node = tmp_path / "node" / "leitplanke.db"
    central = tmp_path / "central" / "central.db"
    node.parent.mkdir()
    central.parent.mkdir()
    write_key(node)
    write_key(central)
    return node, central, tmp_path / "central" / "approvals.db"


def test_a_rejection_reaches_the_node_and_asking_again_starts_a_new_request(
    setup: tuple[Path, Path, Path],
) -> None:
    node_db, central, answers = setup
    node = FindingsStore(node_db)
    node.request_approval(request("deepl", "Übersetzungen"))
    output = merge(node_db, central, answers)
    assert "1 approval request(s) with their answers" in output
    store = FindingsStore(central)
    request_id = int(central_request(central)["id"])
    store.decide_approval(request_id, "rejected", "Bitte DeepL Pro über IT nutzen.", "dpo")
    store.close()
    merge(node_db, central, answers)  # nothing new from the node; answers published

    found = read_answers(answers, PERSON)
    assert [(a.status, a.reply) for a in found] == [("rejected", "Bitte DeepL Pro über IT nutzen.")]
    assert read_answers(answers, "u-someone-else") == []
    (mine,) = node.approvals_of(PERSON, found)  # taken over into the node's own store
    assert (mine.status, mine.reply) == ("rejected", "Bitte DeepL Pro über IT nutzen.")
    (mine,) = node.approvals_of(PERSON)  # ... and kept there
    assert mine.status == "rejected"
    # After a rejection, asking again is a new request (store/approvals.py), also on a node.
    state = node.request_approval(request("deepl", "Jetzt mit Pro-Lizenz"), found)
    assert state.status == "open" and state.asked == 1 and state.id != mine.id
    node.close()


def test_a_question_answered_on_the_node_is_open_again_centrally(
    setup: tuple[Path, Path, Path],
) -> None:
    node_db, central, answers = setup
    node = FindingsStore(node_db)
    first = node.request_approval(request("deepl", "Übersetzungen"))
    merge(node_db, central, answers)
    store = FindingsStore(central)
    store.decide_approval(int(central_request(central)["id"]), "needs_info", "Welche Texte?", "dpo")
    store.close()
    merge(node_db, central, answers)
    found = read_answers(answers, PERSON)
    (mine,) = node.approvals_of(PERSON, found)
    assert (mine.status, mine.reply) == ("needs_info", "Welche Texte?")
    # The person answers by asking again on the node.
    again = node.request_approval(request("deepl", "Produkttexte ohne Kundendaten"), found)
    assert (again.id, again.status, again.asked) == (first.id, "open", 2)
    node.close()
    output = merge(node_db, central, answers)
    assert "1 approval request(s) asked again" in output
    row = central_request(central)
    assert (row["status"], row["repeats"]) == ("open", 1)
    assert "Produkttexte ohne Kundendaten" in str(row["reason"])
    assert row["reply"] == "Welche Texte?"  # the DPO's own history stays central
    # Merging once more changes nothing.
    assert "asked again" not in merge(node_db, central, answers)


def test_an_older_answers_file_does_not_undo_a_newer_answer(
    setup: tuple[Path, Path, Path], tmp_path: Path
) -> None:
    node_db, central, answers = setup
    node = FindingsStore(node_db)
    node.request_approval(request("deepl", "Übersetzungen"))
    merge(node_db, central, answers)
    store = FindingsStore(central)
    request_id = int(central_request(central)["id"])
    store.decide_approval(request_id, "needs_info", "Welche Texte?", "dpo")
    merge(node_db, central, answers)
    old = read_answers(answers, PERSON)
    store.decide_approval(request_id, "approved", "Freigegeben.", "dpo")
    store.close()
    merge(node_db, central, answers)
    new = read_answers(answers, PERSON)
    assert [a.status for a in node.approvals_of(PERSON, new)] == ["approved"]
    assert [a.status for a in node.approvals_of(PERSON, old)] == ["approved"]
    node.close()


def test_requests_from_other_nodes_are_listed_not_copied(setup: tuple[Path, Path, Path]) -> None:
    node_db, central, answers = setup
    other_db = node_db.parent.parent / "other" / "leitplanke.db"
    other_db.parent.mkdir()
    write_key(other_db)
    other = FindingsStore(other_db)
    other.request_approval(request(None, "Bilder", tool="Bildgenerator X"))
    other.close()
    node = FindingsStore(node_db)
    result = CliRunner().invoke(
        cli,
        ["merge", "--into", str(central), "--approvals-out", str(answers), str(other_db)],
    )
    assert result.exit_code == 0, result.output
    found = read_answers(answers, PERSON)
    assert [a.tool_name for a in found] == ["Bildgenerator X"]
    assert node.approvals_of(PERSON, found) == []  # not this node's request: not copied
    assert [a.node for a in found] != [node.node_id()]
    node.close()


def test_the_answers_file_holds_no_reason_or_department_and_is_owner_only(
    setup: tuple[Path, Path, Path],
) -> None:
    node_db, central, answers = setup
    node = FindingsStore(node_db)
    node.request_approval(request("deepl", "Geheimes Projekt Falke"))
    node.close()
    merge(node_db, central, answers)
    assert stat.S_IMODE(os.stat(answers).st_mode) == 0o600
    data = answers.read_bytes()
    assert b"Falke" not in data and b"Vertrieb" not in data
    with sqlite3.connect(answers) as conn:
        assert conn.execute("pragma journal_mode").fetchone()[0] == "delete"
    assert [p.name for p in answers.parent.iterdir() if p.name.startswith(".approvals")] == []


def test_unreadable_answers_are_one_line(tmp_path: Path) -> None:
    with pytest.raises(AnswersError, match="no such file"):
        read_answers(tmp_path / "missing.db", PERSON)
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database")
    with pytest.raises(AnswersError, match="not an approvals file"):
        read_answers(junk, PERSON)


def test_approvals_out_must_not_be_a_merged_database(setup: tuple[Path, Path, Path]) -> None:
    node_db, central, _ = setup
    FindingsStore(node_db).close()
    result = CliRunner().invoke(
        cli, ["merge", "--into", str(central), "--approvals-out", str(central), str(node_db)]
    )
    assert result.exit_code == 2 and "is a database being merged" in result.output
