"""`leitplanke notify` against a real SMTP server process (aiosmtpd): one batched
mail over STARTTLS with login, no values; the settings are the `notify:` section of
the gateway's config file."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest

from bench.proxies import free_port
from checker.findings import Finding
from store.findings_store import FindingsStore
from store.records import ApprovalRequestRecord, DecisionRecord, finding_records
from tests.certs import self_signed_cert

ROOT = Path(__file__).resolve().parents[2]
KEY = b"n" * 32
DIAGNOSIS = "F32.1 mittelgradige depressive Episode"
API_KEY = "sk-proj-" + "Q7w" * 15
PASSWORD = "Sommer2024!"
PSEUDONYM = "u-5ecre7"
SMTP_PASSWORD = "mail-secret"


def self_signed(directory: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and localhost, and its key."""
    cert_path, key_path = directory / "smtp-cert.pem", directory / "smtp-key.pem"
    names = ["localhost", "127.0.0.1"]
    self_signed_cert(cert_path, key_path, names, "leitplanke test smtp", ca=True)
    return cert_path, key_path


class Server:
    def __init__(self, port: int, out: Path) -> None:
        self.port, self.out = port, out

    def mails(self) -> list[Path]:
        return sorted(self.out.glob("*.eml"))

    def session(self) -> str:
        log = self.out / "session.log"
        return log.read_text() if log.exists() else ""


@pytest.fixture
def smtp_server(tmp_path: Path) -> Iterator[Callable[..., Server]]:
    processes: list[subprocess.Popen[bytes]] = []

    def start(tls: tuple[Path, Path] | None = None, user: str | None = None) -> Server:
        port = free_port()
        out = tmp_path / f"mails-{port}"
        out.mkdir()
        command = [sys.executable, str(Path(__file__).with_name("smtp_server.py")), str(port)]
        command.append(str(out))
        if tls:
            command += ["--tls", str(tls[0]), str(tls[1])]
        if user:
            command += ["--user", user]
        processes.append(subprocess.Popen(command))
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    return Server(port, out)
            time.sleep(0.1)
        raise AssertionError("the SMTP server did not start")

    yield start
    for process in processes:
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


def write_config(
    tmp_path: Path,
    port: int,
    every: int,
    *,
    starttls: bool = True,
    ca_file: Path | None = None,
    user: bool = True,
) -> Path:
    """The gateway's config file with a notify: section (and what the gateway reads)."""
    (tmp_path / "smtp.password").write_text(SMTP_PASSWORD + "\n")
    login = "user: leitplanke, password_file: smtp.password, " if user else ""
    trust = f"ca_file: {ca_file}, " if ca_file else ""
    config = tmp_path / "config.yaml"
    config.write_text(
        "listen_port: 8080\n"
        "set: {leitplanke_workers: 1}\n"
        "notify:\n"
        f"  smtp: {{host: 127.0.0.1, port: {port}, starttls: {str(starttls).lower()}, "
        f"{login}{trust}timeout_s: 20}}\n"
        "  from: leitplanke@muster.example\n"
        "  to: [datenschutz@muster.example]\n"
        "  review_url: https://review.muster.example\n"
        f"  every_minutes: {every}\n"
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


def marks(db: Path) -> list[dict[str, object]]:
    store = FindingsStore(db)
    try:
        return list(store.db.query("select * from notify_marks"))
    finally:
        store.close()


def test_notify_sends_one_batched_mail_over_starttls_without_values(
    tmp_path: Path, smtp_server: Callable[..., Server]
) -> None:
    cert, key = self_signed(tmp_path)
    server = smtp_server(tls=(cert, key), user=f"leitplanke:{SMTP_PASSWORD}")
    db = tmp_path / "leitplanke.db"
    store = seed(db)
    excerpts = [row["masked_excerpt"] for row in store.findings()]
    hashes_ = [row["value_hash"] for row in store.findings()]
    store.close()
    config = write_config(tmp_path, server.port, every=60, ca_file=cert)

    first = run_notify(db, config)
    assert first.returncode == 0, first.stderr
    assert "sent (4 items)" in first.stderr
    # Upgraded to TLS, logged in, then the mail: never in the clear.
    assert "MAIL tls=True auth=True" in server.session()
    assert "MAIL tls=False" not in server.session()
    (mail_file,) = server.mails()
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
        SMTP_PASSWORD,
        *excerpts,
        *hashes_,
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
    assert len(server.mails()) == 1

    # After the interval, the waiting row goes out (and only it).
    config = write_config(tmp_path, server.port, every=0, ca_file=cert)
    third = run_notify(db, config)
    assert "sent (1 items)" in third.stderr, third.stderr
    assert len(server.mails()) == 2
    assert b"Diabetes" not in server.mails()[1].read_bytes()
    fourth = run_notify(db, config)
    assert "nothing_new" in fourth.stderr and len(server.mails()) == 2


def test_an_untrusted_certificate_sends_nothing(
    tmp_path: Path, smtp_server: Callable[..., Server]
) -> None:
    server = smtp_server(tls=self_signed(tmp_path), user=f"leitplanke:{SMTP_PASSWORD}")
    db = tmp_path / "leitplanke.db"
    seed(db).close()
    failed = run_notify(db, write_config(tmp_path, server.port, every=0))  # no ca_file
    assert failed.returncode == 1
    assert "mail not sent via 127.0.0.1:" in failed.stderr
    assert "SSLCertVerificationError" in failed.stderr and "Traceback" not in failed.stderr
    assert server.mails() == [] and "MAIL" not in server.session()
    assert marks(db) == []  # the next run tries again


def test_starttls_is_never_skipped(tmp_path: Path, smtp_server: Callable[..., Server]) -> None:
    """A server that offers no STARTTLS gets nothing, not the mail in the clear."""
    server = smtp_server()
    db = tmp_path / "leitplanke.db"
    seed(db).close()
    failed = run_notify(db, write_config(tmp_path, server.port, every=0, user=False))
    assert failed.returncode == 1 and "SMTPNotSupportedError" in failed.stderr
    assert server.mails() == []
    # A local relay without TLS, when the config says so (starttls: false).
    relay = write_config(tmp_path, server.port, every=0, starttls=False, user=False)
    sent = run_notify(db, relay)
    assert sent.returncode == 0 and "sent (4 items)" in sent.stderr
    assert len(server.mails()) == 1 and "MAIL tls=False" in server.session()


def test_notify_failure_keeps_the_rows_and_says_one_line(tmp_path: Path) -> None:
    db = tmp_path / "leitplanke.db"
    seed(db).close()
    config = write_config(tmp_path, free_port(), every=0)  # nobody listens there
    failed = run_notify(db, config)
    assert failed.returncode == 1
    assert failed.stderr.strip().startswith("leitplanke notify: mail not sent via 127.0.0.1:")
    assert "Traceback" not in failed.stderr
    assert marks(db) == []  # nothing marked as sent: the next run tries again


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "notify:\n  smtp: {host: x, prot: 25}\n  from: a@b\n  to: []\n",
            [
                "config.yaml:2:19: unknown key 'notify.smtp.prot' — did you mean 'port'?",
                "notify.to",
            ],
        ),
        ("listen_port: 8080\n", ["no 'notify:' section"]),
        # The settings of the first drafts' notify.yaml, at the top level: where they go.
        (
            "smtp: {host: x}\nfrom: a@b\nto: [c@d]\n",
            ["unknown key 'smtp' — the notifier's settings go under 'notify:'"],
        ),
        (
            "notify: {smtp: {host: x, user: u, password_file: missing.password}, "
            "from: a@b, to: [c@d]}\n",
            ["notify.smtp.password_file", "cannot read"],
        ),
    ],
)
def test_config_errors_are_located_lines(tmp_path: Path, text: str, expected: list[str]) -> None:
    db = tmp_path / "leitplanke.db"
    FindingsStore(db).close()
    config = tmp_path / "config.yaml"
    config.write_text(text)
    result = run_notify(db, config)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    for part in expected:
        assert part in result.stderr.replace(str(tmp_path) + "/", ""), result.stderr


def test_the_gateway_accepts_the_config_file_with_a_notify_section(tmp_path: Path) -> None:
    """One config file for the gateway and the notifier: `leitplanke proxy` reads it."""
    from cli.proxy_config import load_config

    config = load_config(write_config(tmp_path, 2525, every=15))
    assert config.values == {"listen_port": 8080}
    assert config.notify is not None and config.notify.smtp.port == 2525
