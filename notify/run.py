"""One notifier run: read what is new since the last mark, mail it, move the mark.

Runs as `leitplanke notify` (a systemd timer, deploy/systemd/leitplanke-notify.timer)
and can later run inside the gateway: it needs only the findings database. At most
one mail per `every_minutes`: a run inside that interval sends nothing and leaves the
rows for the next one. A failed send moves no mark, so nothing is lost.
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

from notify.config import Loaded
from notify.digest import collect, render
from policy.model import Policy
from review.labels import Labels, parse_time
from store.findings_store import FindingsStore

CHANNEL = "dpo-mail"


class NotifyError(Exception):
    """The mail could not be sent (one line: server and reason, no content)."""


@dataclass(frozen=True)
class Outcome:
    status: str  # "sent" | "nothing_new" | "waiting" | "dry_run"
    items: int = 0
    message: EmailMessage | None = None


def build_message(loaded: Loaded, subject: str, body: str) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = loaded.config.mail_from
    message["To"] = ", ".join(loaded.config.to)
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=loaded.config.mail_from.rpartition("@")[2] or None)
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(body)
    return message


def send(loaded: Loaded, message: EmailMessage) -> None:
    smtp = loaded.config.smtp
    try:
        # Certificate and host name checked, against the system's CAs or ca_file.
        tls = ssl.create_default_context(cafile=loaded.ca_file)
        client: smtplib.SMTP
        if smtp.ssl:
            client = smtplib.SMTP_SSL(smtp.host, smtp.port, timeout=smtp.timeout_s, context=tls)
        else:
            client = smtplib.SMTP(smtp.host, smtp.port, timeout=smtp.timeout_s)
        with client:
            if smtp.starttls and not smtp.ssl:
                client.starttls(context=tls)
            if smtp.user:
                client.login(smtp.user, loaded.password or "")
            client.send_message(message)
    except (OSError, smtplib.SMTPException) as exc:
        raise NotifyError(
            f"mail not sent via {smtp.host}:{smtp.port}: {type(exc).__name__}"
            + (f" {exc.smtp_code}" if isinstance(exc, smtplib.SMTPResponseException) else "")
        ) from None


def run_notify(
    db: str | Path,
    loaded: Loaded,
    policy: Policy | None = None,
    now: datetime | None = None,
    dry_run: bool = False,
) -> Outcome:
    config = loaded.config
    when = now or datetime.now(UTC)
    store = FindingsStore(db)
    try:
        conn = store.db.conn
        mark = conn.execute(
            "select last_decision_id, last_request_id, last_sent from notify_marks "
            "where channel = ?",
            [CHANNEL],
        ).fetchone()
        after_decision, after_request, last_sent = mark or (0, 0, None)
        sent_at = parse_time(last_sent) if last_sent else None
        if sent_at and when - sent_at < timedelta(minutes=config.every_minutes):
            return Outcome("waiting")
        digest = collect(conn, int(after_decision or 0), int(after_request or 0), policy)
        if digest.total == 0:
            _mark(store, digest.last_decision_id, digest.last_request_id, last_sent)
            return Outcome("nothing_new")
        labels = Labels(config.lang, policy)
        subject, body = render(
            digest, labels, config.review_url, config.every_minutes, config.max_links
        )
        message = build_message(loaded, subject, body)
        if dry_run:
            return Outcome("dry_run", digest.total, message)
        send(loaded, message)
        _mark(
            store,
            digest.last_decision_id,
            digest.last_request_id,
            when.astimezone(UTC).isoformat(timespec="milliseconds"),
        )
        return Outcome("sent", digest.total, message)
    finally:
        store.close()


def _mark(store: FindingsStore, decision_id: int, request_id: int, sent: str | None) -> None:
    with store.db.conn:
        store.db.conn.execute(
            "insert or replace into notify_marks (channel, last_decision_id, last_request_id, "
            "last_sent) values (?, ?, ?, ?)",
            [CHANNEL, decision_id, request_id, sent],
        )
