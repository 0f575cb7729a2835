"""What a notification says: counts of new special-category and secret findings and new
approval requests, per type and tool, with links into the review UI — no values, no
excerpts, no pseudonyms, no groups.

Rows are read by id above the last mark (store: notify_marks), so a batch holds
everything since the last mail however long the notifier waited.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from dataclasses import dataclass, field

from policy.model import Policy
from review.labels import Labels

SPECIAL_ENTITIES = frozenset({"HEALTH_DATA"})
SECRET_ENTITIES = frozenset({"SECRET"})
TEXTS = {
    "de": {
        "subject": "Leitplanke: {total} neue Meldungen für den Datenschutz",
        "intro": "Seit der letzten Benachrichtigung hat das KI-Gateway Folgendes aufgezeichnet "
        "(nur Typen und Anzahlen – Details in der Prüfoberfläche):",
        "special": "Besondere Kategorien (Art. 9 DSGVO)",
        "secrets": "Zugangsdaten und Schlüssel",
        "approvals": "Neue Freigabe-Anträge",
        "line": "  - {what}: {count} in {tools}",
        "approval_line": "  - {tool}: {count}",
        "links": "Zu prüfen:",
        "queue": "Offene Findings: {url}",
        "approvals_link": "Freigabe-Anträge: {url}",
        "footer": "Diese Nachricht enthält keine erkannten Werte. Versand höchstens alle "
        "{minutes} Minuten.",
    },
    "en": {
        "subject": "Leitplanke: {total} new items for data protection",
        "intro": "Since the last notification the AI gateway recorded the following "
        "(types and counts only – details in the review UI):",
        "special": "Special categories (Art. 9 GDPR)",
        "secrets": "Credentials and keys",
        "approvals": "New approval requests",
        "line": "  - {what}: {count} in {tools}",
        "approval_line": "  - {tool}: {count}",
        "links": "To review:",
        "queue": "Open findings: {url}",
        "approvals_link": "Approval requests: {url}",
        "footer": "This message holds no detected values. Sent at most every {minutes} minutes.",
    },
}


@dataclass
class Digest:
    last_decision_id: int
    last_request_id: int
    special: Counter[tuple[str, str]] = field(default_factory=Counter)  # (entity, service)
    secrets: Counter[tuple[str, str]] = field(default_factory=Counter)
    approvals: Counter[str] = field(default_factory=Counter)  # service or free-text name
    decisions: list[int] = field(default_factory=list)  # decision ids to link

    @property
    def total(self) -> int:
        return (
            sum(self.special.values()) + sum(self.secrets.values()) + sum(self.approvals.values())
        )


def _kind(entity: str, data_class: str, policy: Policy | None) -> str | None:
    if entity in SECRET_ENTITIES or data_class == "secrets":
        return "secrets"
    if entity in SPECIAL_ENTITIES or data_class == "special":
        return "special"
    if policy is not None and data_class in policy.data_classes:
        entities = set(policy.data_classes[data_class].entities)
        if entities & SECRET_ENTITIES:
            return "secrets"
        if entities & SPECIAL_ENTITIES:
            return "special"
    return None


def collect(
    conn: sqlite3.Connection, after_decision: int, after_request: int, policy: Policy | None
) -> Digest:
    last_decision = conn.execute("select coalesce(max(id), 0) from decisions").fetchone()[0]
    last_request = conn.execute("select coalesce(max(id), 0) from approval_requests").fetchone()[0]
    digest = Digest(int(last_decision), int(last_request))
    rows = conn.execute(
        "select f.decision_id, f.entity_type, f.data_class, f.count, d.service "
        "from findings f join decisions d on d.id = f.decision_id "
        "where f.decision_id > ? and f.decision_id <= ? order by f.decision_id",
        [after_decision, last_decision],
    )
    for decision_id, entity, data_class, count, service in rows:
        kind = _kind(entity or "", data_class or "", policy)
        if kind is None:
            continue
        target = digest.special if kind == "special" else digest.secrets
        target[(entity, service or "")] += int(count or 1)
        if decision_id not in digest.decisions:
            digest.decisions.append(decision_id)
    # Only requests new since the last mark (a repeated request is not new).
    for service, tool_name in conn.execute(
        "select service, tool_name from approval_requests where id > ? and id <= ?",
        [after_request, last_request],
    ):
        digest.approvals[f"service:{service}" if service else f"name:{tool_name or '?'}"] += 1
    return digest


def render(
    digest: Digest, labels: Labels, review_url: str, every_minutes: int, max_links: int
) -> tuple[str, str]:
    """(subject, plain-text body) of the mail."""
    t = TEXTS[labels.lang]
    base = review_url.rstrip("/")
    lines = [t["intro"], ""]
    for key, counter in (("special", digest.special), ("secrets", digest.secrets)):
        if not counter:
            continue
        lines.append(t[key] + ":")
        by_entity: dict[str, Counter[str]] = {}
        for (entity, service), n in counter.items():
            by_entity.setdefault(entity, Counter())[labels.service(service) or "?"] += n
        for entity, services in sorted(by_entity.items()):
            tools = ", ".join(f"{name} ({n})" for name, n in services.most_common())
            lines.append(
                t["line"].format(
                    what=labels.entity(entity), count=sum(services.values()), tools=tools
                )
            )
        lines.append("")
    if digest.approvals:
        lines.append(t["approvals"] + ":")
        for key, n in digest.approvals.most_common():
            kind, _, value = key.partition(":")
            name = labels.service(value) if kind == "service" else value
            lines.append(t["approval_line"].format(tool=name, count=n))
        lines.append("")
    lines.append(t["links"])
    if digest.special or digest.secrets:
        lines.append(t["queue"].format(url=f"{base}/leitplanke/offene_findings"))
        lines += [f"  {base}/leitplanke/finding?id={i}" for i in digest.decisions[:max_links]]
    if digest.approvals:
        lines.append(t["approvals_link"].format(url=f"{base}/leitplanke/freigabe_anfragen"))
    lines += ["", "-- ", t["footer"].format(minutes=every_minutes)]
    return t["subject"].format(total=digest.total), "\n".join(lines) + "\n"
