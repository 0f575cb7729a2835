"""A seeded month (November 2026) and the month before, for the report tests.

Expected figures for 2026-11 (derived by hand from the rows below):

- 42 prompts checked; 13 with findings; 11 violations (26.2 %).
- enforced: allow 19, log 11, warn 4, redact 2, block 6.
- violating prompts per class: personal 7 (previous month 3), secrets 2 (4), special 2 (0).
- 13 distinct users; 6 tools (chatgpt, deepl, perplexity, claude, deepseek, mistral).
- departments (threshold 3): sales 5 users, hr 4; legal (1) is below the threshold,
  so "other" takes the smallest named one, it (3), too: other = legal + it = 4 users.
- candidates (policy: chatgpt approved, deepl tolerated): perplexity 5 users,
  deepl 4, mistral 3, claude 2 (withheld figures).
- coaching: 4 coached stops in 3 cases; 1 proceeded (justification within the
  window), 2 abandoned (one never justified, one justified 50 minutes later).
- approval requests: 2 open (1 submitted in November), 1 decided.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from store.findings_store import FindingsStore
from store.records import (
    ApprovalRequestRecord,
    CoachingRecord,
    DecisionRecord,
    FindingRecord,
    UsageRecord,
)

POLICY = """\
version: 1
organization: Muster GmbH
contact: it@example.com
data_classes:
  personal:
    label: {de: Personenbezogene Daten, en: Personal data}
    entities: [PERSON]
  special:
    label: {de: Gesundheitsdaten, en: Health data}
    entities: [PERSON]
  secrets:
    label: {de: Zugangsdaten, en: Credentials}
    entities: [PERSON]
tools:
  chatgpt-team:
    name: ChatGPT Team
    services: [chatgpt]
    status: approved
    allowed: [personal]
  deepl:
    name: DeepL
    services: [deepl]
    status: tolerated
groups:
  sales:
    label: {de: Vertrieb, en: Sales}
    users: [s.one]
  hr:
    label: {de: Personalabteilung, en: Human resources}
    users: [h.one]
  it:
    label: {de: IT-Abteilung, en: IT department}
    users: [i.one]
  legal:
    label: {de: Rechtsabteilung, en: Legal}
    users: [l.one]
"""

START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)  # a Monday
PREVIOUS = datetime(2026, 10, 5, 9, 0, tzinfo=UTC)
RAW_VALUE = "DE89370400440532013000"  # never stored: the masked excerpt is "<IBAN>"


def pseudonym(group: str, index: int) -> str:
    return f"u-7f3a{group}{index:02d}c9"


SALES = [pseudonym("sales", i) for i in range(5)]
HR = [pseudonym("hr", i) for i in range(4)]
IT = [pseudonym("it", i) for i in range(3)]
LEGAL = [pseudonym("legal", 0)]
GROUP_OF = {
    **dict.fromkeys(SALES, "sales"),
    **dict.fromkeys(HR, "hr"),
    **dict.fromkeys(IT, "it"),
    **dict.fromkeys(LEGAL, "legal"),
}
ALL_USERS = [*SALES, *HR, *IT, *LEGAL]
STATUS = {"chatgpt": "approved", "deepl": "tolerated"}


def _ts(when: datetime) -> str:
    return when.isoformat(timespec="milliseconds")


def add(
    store: FindingsStore,
    when: datetime,
    service: str,
    user: str,
    enforced: str,
    violating: tuple[str, ...] = (),
    found: tuple[str, ...] = (),
    reasons: tuple[str, ...] = (),
    action: str | None = None,
) -> None:
    """One decision (and its intercepted request in `usage`)."""
    group = GROUP_OF[user]
    status = STATUS.get(service, "unapproved")
    classes = tuple(dict.fromkeys((*violating, *found)))
    store.record(
        DecisionRecord(
            service=service,
            host=f"{service}.example",
            api="generic",
            tool=None,
            tool_status=status,
            user_pseudonym=user,
            user_group=group,
            action=action or enforced,
            enforced=enforced,
            reasons=reasons or tuple(f"{c}:not_allowed:{enforced}" for c in violating),
            data_classes=violating,
            policy_version="1@seed",
            findings=tuple(
                FindingRecord(c, "IBAN_CODE", 1, 0.95, "<IBAN>", f"hash{i}", "messages[0]:0-22")
                for i, c in enumerate(classes)
            ),
            ts=_ts(when),
        )
    )
    _usage(store, when, service, user, "request")


def _usage(store: FindingsStore, when: datetime, service: str, user: str, kind: str) -> None:
    store.record_usage(
        UsageRecord(
            kind=kind,  # type: ignore[arg-type]
            service=service,
            host=f"{service}.example",
            intercepted=kind == "request",
            user_pseudonym=user,
            user_group=GROUP_OF[user],
            tool_status=STATUS.get(service, "unapproved"),
            method="POST" if kind == "request" else None,
            status=200 if kind == "request" else None,
            ts=_ts(when),
        )
    )


def _coaching(store: FindingsStore, when: datetime, user: str, service: str) -> None:
    store.record_coaching(
        CoachingRecord(
            service=service,
            tool=None,
            user_pseudonym=user,
            user_group=GROUP_OF[user],
            data_classes=("personal",),
            entity_types={"PERSON": 1},
            justification="Kunde hat zugestimmt, <PERSON> ist informiert.",
            allowed_until=_ts(when + timedelta(minutes=15)),
            ts=_ts(when),
        )
    )


def seed_month(path: Path) -> Path:
    store = FindingsStore(path)
    t = START
    # chatgpt (approved, personal allowed): 20 prompts by sales.
    for i in range(16):
        add(store, t + timedelta(days=i, hours=i % 5), "chatgpt", SALES[i % 5], "allow")
    add(store, t + timedelta(days=3, hours=2), "chatgpt", SALES[0], "allow", found=("personal",))
    add(store, t + timedelta(days=10, hours=3), "chatgpt", SALES[1], "allow", found=("personal",))
    add(store, t + timedelta(days=4), "chatgpt", SALES[2], "block", violating=("secrets",))
    add(store, t + timedelta(days=18), "chatgpt", SALES[3], "block", violating=("secrets",))
    # deepl (tolerated): 3 logged, 4 coached stops in 3 cases, 1 justified prompt.
    for i in range(3):
        add(store, t + timedelta(days=2 * i + 1), "deepl", HR[i + 1], "log")
    case1 = t + timedelta(days=8, hours=1)
    coached = ("personal:not_allowed:warn", "coached")
    personal = ("personal",)
    add(store, case1, "deepl", HR[0], "warn", personal, reasons=coached)
    add(store, case1 + timedelta(minutes=10), "deepl", HR[0], "warn", personal, reasons=coached)
    _coaching(store, case1 + timedelta(minutes=12), HR[0], "deepl")
    add(
        store,
        case1 + timedelta(minutes=13),
        "deepl",
        HR[0],
        "allow",
        ("personal",),
        reasons=("personal:not_allowed:warn", "justified"),
        action="warn",
    )
    add(store, t + timedelta(days=15), "deepl", HR[1], "warn", ("personal",), reasons=coached)
    late = t + timedelta(days=22)
    add(store, late, "deepl", HR[2], "warn", ("personal",), reasons=coached)
    _coaching(store, late + timedelta(minutes=50), HR[2], "deepl")  # outside the window
    # perplexity (unapproved): 10 prompts by it, legal and one salesperson.
    users = [*IT, *LEGAL, SALES[0]]
    for i in range(6):
        add(store, t + timedelta(days=i * 3, hours=4), "perplexity", users[i % 5], "log")
    add(store, t + timedelta(days=5), "perplexity", IT[0], "redact", ("personal",))
    add(store, t + timedelta(days=12), "perplexity", IT[1], "redact", ("personal",))
    add(store, t + timedelta(days=13), "perplexity", IT[2], "block", ("special",))
    add(store, t + timedelta(days=25), "perplexity", LEGAL[0], "block", ("special",))
    # claude: 2 people (a candidate, but below the threshold: no figures);
    # deepseek: 1 person (blocked).
    add(store, t + timedelta(days=6), "claude", IT[0], "log")
    add(store, t + timedelta(days=7), "claude", IT[1], "log")
    add(store, t + timedelta(days=9), "deepseek", LEGAL[0], "block")
    add(store, t + timedelta(days=9, minutes=5), "deepseek", LEGAL[0], "block")
    # mistral: tunnelled connections only, 3 salespeople.
    for i in range(3):
        for j in range(2):
            _usage(store, t + timedelta(days=i + j), "mistral", SALES[i], "connection")

    # The month before: 10 prompts, 7 violations (personal 3, secrets 4).
    p = PREVIOUS
    for i in range(3):
        add(store, p + timedelta(days=i), "chatgpt", SALES[i], "allow")
    for i in range(3):
        add(store, p + timedelta(days=3 + i), "perplexity", IT[i], "block", ("personal",))
    for i in range(4):
        add(store, p + timedelta(days=8 + i), "chatgpt", SALES[i], "block", ("secrets",))
    # December: must not count.
    add(store, datetime(2026, 12, 1, 0, 0, tzinfo=UTC), "chatgpt", SALES[0], "block", ("secrets",))

    # Three people (the same person asking again would add to their request).
    for person, (when, status) in enumerate(
        (
            (START + timedelta(days=3), "open"),
            (PREVIOUS, "open"),
            (START + timedelta(days=4), "approved"),
        )
    ):
        store.record_approval_request(
            ApprovalRequestRecord(
                service="perplexity",
                tool_name="Perplexity",
                reason="Recherche",
                department="IT",
                user_pseudonym=IT[person],
                user_group="it",
                status=status,
                ts=_ts(when),
            )
        )
    store.close()
    return path
