"""`leitplanke notify` against a real SMTP server process: one batched mail, no values."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest

from checker.findings import Finding
from store.findings_store import FindingsStore
from store.records import ApprovalRequestRecord, DecisionRecord, finding_records

ROOT = Path(__file__).resolve().parents[2]
KEY = b"n" * 32
DIAGNOSIS = "F32.1 mittelgradige depressive Episode"
API_KEY = "sk-proj-" + "Q7w" * 15
PASSWORD = "Sommer2024!"
PSEUDONYM = "u-5ecre7"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def sink(tmp_path: Path) -> Iterator[tuple[int, Path]]:
    port = free_port()
    out = tmp_path / "mails"
    out.mkdir()
    process = subprocess.Popen(
        [sys.executable, str(Path(__file__).with_name("smtp_sink.py")), str(port), str(out)]
    )
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.1)
        yield port, out
    finally:
        process.terminate()
        process.wait(timeout=10)


def decision(findings: list[Finding], service: str = "openai-api") -> DecisionRecord:
    return DecisionRecord(
        service=service,
        host="api.openai.com",
        api="openai_chat",
        tool=None,
        tool_status="unapproved",
        user_pseudonym=PSEUDONYM,
        user_group="personal",
        action="block",
        reasons=("special:not_allowed:block",),
        data_classes=("special",),
        policy_version="1@abc",
        findings=finding_records(KEY, findings, ["messages[0].content"]),
    )


def seed(db: Path) -> FindingsStore:
    store = FindingsStore(db)
    store.record(decision([Finding("HEALTH_DATA", "special", 0, 5, 0.9, 0, DIAGNOSIS)]))
    store.record(
        decision(
            [
                Finding("SECRET", "secrets", 0, 5, 0.95, 0, API_KEY),
                Finding("SECRET", "secrets", 9, 20, 0.7, 0, PASSWORD),
            ],
            service="anthropic-api",
        )
    )
    store.record(decision([Finding("EMAIL_ADDRESS", "personal", 0, 5, 0.9, 0, "a@b.de")]))
    store.record_approval_request(
        ApprovalRequestRecord(
            service="anthropic-api",
            tool_name="Claude",
            reason="Verträge prüfen",
            department="Recht",
            user_pseudonym=PSEUDONYM,
            user_group="recht",
        )
    )
    return store


def write_config(tmp_path: Path, port: int, every: int) -> Path:
    password = tmp_path / "smtp.password"
    password.write_text("mail-secret\n")
    config = tmp_path / "notify.yaml"
    config.write_text(
        f"smtp: {{host: 127.0.0.1, port: {port}, starttls: false, user: leitplanke,"
        f" password_file: {password}}}\n"
        "from: leitplanke@muster.example\n"
        "to: [datenschutz@muster.example]\n"
        "review_url: https://review.muster.example\n"
        f"every_minutes: {every}\n"
    )
    return config


def run_notify(db: Path, config: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cli.notify_command", "--db", str(db), "--config", str(config)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_notify_sends_one_batched_mail_without_values(
    tmp_path: Path, sink: tuple[int, Path]
) -> None:
    port, out = sink
    db = tmp_path / "leitplanke.db"
    store = seed(db)
    excerpts = [row["masked_excerpt"] for row in store.findings()]
    hashes = [row["value_hash"] for row in store.findings()]
    store.close()
    config = write_config(tmp_path, port, every=60)

    first = run_notify(db, config)
    assert first.returncode == 0, first.stderr
    assert "sent (4 items)" in first.stderr
    (mail_file,) = out.glob("*.eml")
    raw = mail_file.read_bytes()
    mail = message_from_bytes(raw, policy=policy.default)
    assert isinstance(mail, EmailMessage)
    assert mail["To"] == "datenschutz@muster.example"
    assert mail["Subject"] == "Leitplanke: 4 neue Meldungen für den Datenschutz"
    text = mail.get_content()
    assert "Gesundheitsdaten: 1 in OpenAI API" in text
    assert "Zugangsdaten oder Schlüssel: 2 in Anthropic API" in text
    assert "https://review.muster.example/leitplanke/finding?id=1" in text
    assert "https://review.muster.example/leitplanke/freigabe_anfragen" in text
    # Byte-level, in the mail as received and in its decoded body: no raw value, no
    # excerpt, no hash, no pseudonym, no group, no free text of the request.
    forbidden = [
        DIAGNOSIS,
        "F32",
        API_KEY,
        "sk-proj",
        PASSWORD,
        "a@b.de",
        PSEUDONYM,
        "Verträge",
        "Recht",
        "mail-secret",
        *excerpts,
        *hashes,
    ]
    for value in forbidden:
        assert value.encode() not in raw, value
        assert value not in text, value

    # Within every_minutes nothing more is sent, even with new rows: they wait.
    store = FindingsStore(db)
    store.record(decision([Finding("HEALTH_DATA", "special", 0, 5, 0.9, 0, "Diabetes Typ 2")]))
    store.close()
    second = run_notify(db, config)
    assert second.returncode == 0 and "waiting" in second.stderr
    assert len(list(out.glob("*.eml"))) == 1

    # After the interval, the waiting row goes out (and only it).
    config = write_config(tmp_path, port, every=0)
    third = run_notify(db, config)
    assert "sent (1 items)" in third.stderr, third.stderr
    assert len(list(out.glob("*.eml"))) == 2
    assert b"Diabetes" not in (out / "1.eml").read_bytes()
    fourth = run_notify(db, config)
    assert "nothing_new" in fourth.stderr and len(list(out.glob("*.eml"))) == 2


def test_notify_failure_keeps_the_rows_and_says_one_line(tmp_path: Path) -> None:
    db = tmp_path / "leitplanke.db"
    seed(db).close()
    config = write_config(tmp_path, free_port(), every=0)  # nobody listens there
    failed = run_notify(db, config)
    assert failed.returncode == 1
    assert failed.stderr.strip().startswith("leitplanke notify: mail not sent via 127.0.0.1:")
    assert "Traceback" not in failed.stderr
    store = FindingsStore(db)
    marks = list(store.db.query("select * from notify_marks"))
    store.close()
    assert marks == []  # nothing marked as sent: the next run tries again


def test_notify_config_errors_are_one_line(tmp_path: Path) -> None:
    db = tmp_path / "leitplanke.db"
    FindingsStore(db).close()
    bad = tmp_path / "notify.yaml"
    bad.write_text("smtp: {host: x, prot: 25}\nfrom: a@b\nto: []\n")
    result = run_notify(db, bad)
    assert result.returncode == 2
    assert "smtp.prot" in result.stderr and "to" in result.stderr
    assert "Traceback" not in result.stderr
