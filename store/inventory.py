"""The AI usage inventory: which AI services are used, how much, with which findings.

Reads the findings store (`usage`, `decisions`, `findings`; see store/migrations.py)
and aggregates it per catalog service, and per host for unknown hosts that look like
AI. The report is for IT, the DPO and the works council (§87 BetrVG), so it only ever
holds counts: no pseudonym, no per-user number ever leaves the SQL queries here, and a
row used by fewer than `privacy_threshold` distinct people keeps its name and status
but withholds every number (a row of one person's use *is* that person's behaviour).

`inventory()` builds an `Inventory`; `inventory_dict()` is its JSON form (the keys
are documented there and are stable). Rendering lives in cli/inventory_render.py.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal, cast

from sqlite_utils import Database

from policy.catalog import Catalog, default_catalog
from policy.model import Policy
from store.usage_queries import Key, Totals, UsageReader, collect

Status = Literal["approved", "tolerated", "unapproved"]
TrendMetric = Literal["requests", "connections", "prompts"]
STATUSES: tuple[Status, ...] = ("approved", "tolerated", "unapproved")

DEFAULT_MIN_USERS = 2
DEFAULT_PRIVACY_THRESHOLD = 3

# Catalog fields shown when the catalog has them (they arrive with the bigger catalog).
CATALOG_FACTS = ("category", "hq_country", "processing_region", "eu_data_residency")

_DURATION = re.compile(r"^\s*(\d+)\s*([hdw])\s*$", re.IGNORECASE)
_DATE = re.compile(r"^\s*\d{4}-\d{2}-\d{2}\s*$")
_UNITS = {"h": "hours", "d": "days", "w": "weeks"}


class InventoryError(ValueError):
    """Bad input for the report (a period that cannot be read, a file that is no database)."""


# --- the period -------------------------------------------------------------------------


def parse_since(text: str) -> timedelta | datetime:
    """`30d`, `12h`, `2w` (a duration back from `until`) or a date/time (`2026-11-01`,
    `2026-11-01T08:00`, `2026-11-01T08:00+01:00`). A date is 00:00 UTC; a time without
    an offset is UTC."""
    duration = _DURATION.match(text)
    if duration:
        amount = int(duration.group(1))
        if amount <= 0:
            raise InventoryError(f"invalid period {text!r}: the duration must be more than 0")
        return timedelta(**{_UNITS[duration.group(2).lower()]: amount})
    try:
        when = datetime.fromisoformat(text.strip())
    except ValueError:
        raise InventoryError(
            f"invalid period {text!r}: use a duration such as 30d, 12h or 2w, "
            "or a date such as 2026-11-01"
        ) from None
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


def parse_until(text: str, now: datetime | None = None) -> datetime:
    """End of the report period (exclusive): a date means the end of that day (UTC), a
    date/time that moment, a duration (`7d`) that long before `now`."""
    now = now or datetime.now(UTC)
    value = parse_since(text)
    if isinstance(value, timedelta):
        return now - value
    if _DATE.match(text):
        return value + timedelta(days=1)
    return value


def _utc(when: datetime) -> datetime:
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


def _iso(when: datetime) -> str:
    """The store's timestamp format (see store/records.py), so strings compare as times."""
    return _utc(when).isoformat(timespec="milliseconds")


# --- the report data --------------------------------------------------------------------


@dataclass(frozen=True)
class Trend:
    """This period against the previous one of equal length, by `metric`."""

    metric: TrendMetric  # requests; connections for tunnelled-only services; else prompts
    current: int
    previous: int
    change: int
    percent: float | None  # None when `previous` is 0
    new: bool  # not used at all in the previous period


@dataclass(frozen=True)
class ServiceRow:
    """One catalog service, or one unknown host that looks like AI (`unknown_ai`).

    When `withheld` (fewer than the privacy threshold of distinct users), every number,
    the trend and the first/last-seen times are None.
    """

    service: str | None  # catalog id; None for an unknown AI host
    host: str | None  # the host name, for unknown AI hosts only
    name: str
    vendor: str | None
    facts: dict[str, Any]  # category, hq_country, … where the catalog has them
    status: Status
    status_source: Literal["policy", "recorded"]
    tool: str | None  # the policy's tool (name, or id when recorded), None: not listed
    unknown_ai: bool
    heuristics: tuple[str, ...]
    withheld: bool
    users: int | None
    connections: int | None
    tunnelled: int | None  # connections passed through without decryption
    requests: int | None
    prompts_checked: int | None
    blocked: int | None
    warned: int | None
    findings: dict[str, int] | None  # data class -> detected values (sum of counts)
    bytes_up: int | None
    bytes_down: int | None
    first_seen: str | None
    last_seen: str | None
    trend: Trend | None

    @property
    def key(self) -> str:
        return self.service or f"host:{self.host}"

    @property
    def category(self) -> str | None:
        value = self.facts.get("category")
        return str(value) if value is not None else None

    @property
    def findings_total(self) -> int | None:
        return None if self.findings is None else sum(self.findings.values())


@dataclass(frozen=True)
class Inventory:
    since: datetime
    until: datetime
    previous_since: datetime  # the previous period is [previous_since, since)
    generated: datetime
    group: str | None
    min_users: int
    privacy_threshold: int
    status_source: Literal["policy", "recorded"]
    policy_version: str | None
    rows: tuple[ServiceRow, ...]  # by distinct users, then requests, then name
    candidates: tuple[ServiceRow, ...]  # popular unapproved/tolerated services
    users: int | None  # distinct users over all rows; None below the threshold
    data_classes: tuple[str, ...] = field(default=())  # classes with findings, in order

    @property
    def services(self) -> tuple[ServiceRow, ...]:
        return tuple(r for r in self.rows if not r.unknown_ai)

    @property
    def unknown_hosts(self) -> tuple[ServiceRow, ...]:
        return tuple(r for r in self.rows if r.unknown_ai)

    @property
    def empty(self) -> bool:
        return not self.rows


# --- building it --------------------------------------------------------------------------
_KEY = "service, case when service is null then lower(host) end as hk"


def open_database(path: str | Path) -> Database:
    """Open the findings store read-only (the gateway may be writing it: WAL readers are
    fine). Raises FileNotFoundError when there is no file, InventoryError when it is
    not an SQLite database."""
    file = Path(path)
    if not file.is_file():
        raise FileNotFoundError(str(file))
    try:
        conn = sqlite3.connect(f"{file.resolve().as_uri()}?mode=ro", uri=True, timeout=30)
    except sqlite3.Error as exc:
        raise InventoryError(f"{file}: cannot open ({exc}); is it readable for you?") from None
    try:
        conn.execute("select count(*) from sqlite_master").fetchone()
    except sqlite3.OperationalError as exc:
        conn.close()
        raise InventoryError(f"{file}: cannot open ({exc}); is it readable for you?") from None
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise InventoryError(f"{file}: not a Leitplanke database ({exc})") from None
    return Database(conn)


def _trend(current: Totals, previous: Totals | None) -> Trend:
    prev = previous or Totals()
    metric: TrendMetric
    if current.requests or prev.requests:
        metric, now, before = "requests", current.requests, prev.requests
    elif current.connections or prev.connections:
        metric, now, before = "connections", current.connections, prev.connections
    else:
        metric, now, before = "prompts", current.prompts, prev.prompts
    percent = round((now - before) / before * 100, 1) if before else None
    return Trend(metric, now, before, now - before, percent, new=before == 0)


def inventory(
    db: Database,
    since: timedelta | datetime,
    until: datetime | None = None,
    *,
    policy: Policy | None = None,
    policy_version: str | None = None,
    catalog: Catalog | None = None,
    group: str | None = None,
    min_users: int = DEFAULT_MIN_USERS,
    privacy_threshold: int = DEFAULT_PRIVACY_THRESHOLD,
    now: datetime | None = None,
) -> Inventory:
    """The inventory of AI use in [since, until), against the period of equal length before.

    `policy`: the current policy decides each row's status (a service without a tool is
    unapproved); without one, the status last recorded in the period is used.
    `group`: only use by this group (a `user_group` of the policy).
    `min_users`: distinct users an unapproved/tolerated service needs to be a candidate
    for approval. `privacy_threshold`: rows with fewer distinct users keep name and
    status but withhold all numbers (1 shows every number).
    """
    if min_users < 1 or privacy_threshold < 1:
        raise InventoryError("min_users and privacy_threshold must be at least 1")
    generated = _utc(now or datetime.now(UTC))
    end = _utc(until) if until is not None else generated
    start = end - since if isinstance(since, timedelta) else _utc(since)
    if start >= end:
        raise InventoryError(
            f"empty period: {start.isoformat(timespec='minutes')} is not before "
            f"{end.isoformat(timespec='minutes')}"
        )
    previous_start = start - (end - start)
    catalog = catalog or default_catalog()
    reader = UsageReader(db, group)
    s, e, p = _iso(start), _iso(end), _iso(previous_start)

    current = collect(reader, s, e)
    previous = collect(reader, p, s)
    for service, hk, users in reader.users(s, e):
        current.setdefault((service, hk), Totals()).users = int(users)
    for service, hk, data_class, count in reader.findings(s, e):
        if (service, hk) in current:
            current[(service, hk)].findings[str(data_class)] = int(count)
    for service, hk, tool, status in reader.recorded_status(s, e):
        if (service, hk) in current:
            current[(service, hk)].recorded_status = status
            current[(service, hk)].recorded_tool = tool

    classes = _class_order(policy, {c for a in current.values() for c in a.findings})
    built = [
        _row(key, a, previous.get(key), policy, catalog, privacy_threshold, classes)
        for key, a in current.items()
    ]
    # Sort and pick candidates on the true numbers; withheld rows show none of them.
    order = {row.key: (-a.users, -a.requests, -a.connections, -a.prompts) for row, a in built}
    rows = sorted((row for row, _ in built), key=lambda r: (*order[r.key], r.name.casefold()))
    users_of = {row.key: a.users for row, a in built}
    candidates = tuple(r for r in rows if r.status != "approved" and users_of[r.key] >= min_users)
    total = reader.total_users(s, e)
    return Inventory(
        since=start,
        until=end,
        previous_since=previous_start,
        generated=generated,
        group=group,
        min_users=min_users,
        privacy_threshold=privacy_threshold,
        status_source="policy" if policy is not None else "recorded",
        policy_version=policy_version,
        rows=tuple(rows),
        candidates=candidates,
        users=total if total >= privacy_threshold else None,
        data_classes=classes,
    )


def _class_order(policy: Policy | None, seen: set[str]) -> tuple[str, ...]:
    ordered = [name for name in (policy.data_classes if policy else ()) if name in seen]
    return (*ordered, *sorted(seen - set(ordered)))


def _row(
    key: Key,
    a: Totals,
    previous: Totals | None,
    policy: Policy | None,
    catalog: Catalog,
    threshold: int,
    classes: tuple[str, ...],
) -> tuple[ServiceRow, Totals]:
    service_id, host = key
    entry = catalog.services.get(service_id) if service_id else None
    facts = {
        name: getattr(entry, name)
        for name in CATALOG_FACTS
        if entry is not None and getattr(entry, name, None) is not None
    }
    status: Status
    source: Literal["policy", "recorded"]
    if policy is not None:
        source = "policy"
        found = policy.tool_for_service(service_id)
        status = found[1].status if found else "unapproved"
        tool = found[1].display_name(found[0]) if found else None
    else:
        source = "recorded"
        recorded = a.recorded_status
        status = cast(Status, recorded) if recorded in STATUSES else "unapproved"
        tool = a.recorded_tool
    withheld = a.users < threshold

    def n(value: int) -> int | None:
        return None if withheld else value

    row = ServiceRow(
        service=service_id,
        host=host if service_id is None else None,
        name=entry.name if entry else (service_id or host or "?"),
        vendor=entry.vendor if entry else None,
        facts=facts,
        status=status,
        status_source=source,
        tool=tool,
        unknown_ai=a.unknown_ai and entry is None,
        heuristics=tuple(sorted(a.heuristics)),
        withheld=withheld,
        users=n(a.users),
        connections=n(a.connections),
        tunnelled=n(a.tunnelled),
        requests=n(a.requests),
        prompts_checked=n(a.prompts),
        blocked=n(a.blocked),
        warned=n(a.warned),
        findings=None if withheld else {c: a.findings[c] for c in classes if c in a.findings},
        bytes_up=n(a.bytes_up),
        bytes_down=n(a.bytes_down),
        first_seen=None if withheld else a.first,
        last_seen=None if withheld else a.last,
        trend=None if withheld else _trend(a, previous),
    )
    return row, a


# --- JSON -------------------------------------------------------------------------------


def inventory_dict(inv: Inventory) -> dict[str, Any]:
    """The report as JSON-ready data. Stable keys (English identifiers):

    - `period`: `since`, `until` (exclusive), `previous_since` (ISO 8601, UTC)
    - `generated` (ISO 8601), `group` (or null), `min_users`, `privacy_threshold`,
      `status_source` (`policy` | `recorded`), `policy_version` (or null),
      `users` (distinct users over all services; null below the threshold)
    - `services`: one object per service or unknown AI host, by distinct users then
      requests: `service` (catalog id or null), `host` (unknown AI hosts only),
      `name`, `vendor`, `category`, `hq_country`, `processing_region`,
      `eu_data_residency` (null where the catalog does not say), `status`
      (approved | tolerated | unapproved), `tool` (the policy's tool, or null: not
      listed), `unknown_ai`, `heuristics` (list), `withheld` (true: fewer users than
      the threshold, every number below is null), `users`, `connections`, `tunnelled`,
      `requests`, `prompts_checked`, `blocked`, `warned`, `findings` (data class ->
      number of detected values), `bytes_up`, `bytes_down`, `first_seen`,
      `last_seen`, `trend` (`metric` requests | connections | prompts, `current`,
      `previous`, `change`, `percent` (null when previous is 0), `new`)
    - `candidates`: `service` or `host:<name>` keys of the services in `services`
      that are candidates for approval, most popular first
    """
    return {
        "period": {
            "since": _iso(inv.since),
            "until": _iso(inv.until),
            "previous_since": _iso(inv.previous_since),
        },
        "generated": _iso(inv.generated),
        "group": inv.group,
        "min_users": inv.min_users,
        "privacy_threshold": inv.privacy_threshold,
        "status_source": inv.status_source,
        "policy_version": inv.policy_version,
        "users": inv.users,
        "services": [_row_dict(row) for row in inv.rows],
        "candidates": [row.key for row in inv.candidates],
    }


def _row_dict(row: ServiceRow) -> dict[str, Any]:
    trend = row.trend
    return {
        "service": row.service,
        "host": row.host,
        "name": row.name,
        "vendor": row.vendor,
        **{name: row.facts.get(name) for name in CATALOG_FACTS},
        "status": row.status,
        "tool": row.tool,
        "unknown_ai": row.unknown_ai,
        "heuristics": list(row.heuristics),
        "withheld": row.withheld,
        "users": row.users,
        "connections": row.connections,
        "tunnelled": row.tunnelled,
        "requests": row.requests,
        "prompts_checked": row.prompts_checked,
        "blocked": row.blocked,
        "warned": row.warned,
        "findings": row.findings,
        "bytes_up": row.bytes_up,
        "bytes_down": row.bytes_down,
        "first_seen": row.first_seen,
        "last_seen": row.last_seen,
        "trend": None
        if trend is None
        else {
            "metric": trend.metric,
            "current": trend.current,
            "previous": trend.previous,
            "change": trend.change,
            "percent": trend.percent,
            "new": trend.new,
        },
    }
