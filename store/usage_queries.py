"""The inventory's SQL: usage, decisions and findings per catalog service (or host) and
period, counts only (store/inventory.py builds the report from them). No pseudonym and
no per-user number ever leaves these queries."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlite_utils import Database

# Rows are keyed by catalog service, or by host name when the service is unknown.
KEY = "service, case when service is null then lower(host) end as hk"
Key = tuple[str | None, str | None]


@dataclass
class Totals:
    connections: int = 0
    tunnelled: int = 0
    requests: int = 0
    prompts: int = 0
    blocked: int = 0
    warned: int = 0
    bytes_up: int = 0
    bytes_down: int = 0
    users: int = 0
    first: str | None = None
    last: str | None = None
    unknown_ai: bool = False
    heuristics: set[str] = field(default_factory=set)
    findings: dict[str, int] = field(default_factory=dict)
    recorded_status: str | None = None
    recorded_tool: str | None = None

    def seen(self, first: str | None, last: str | None) -> None:
        if first and (self.first is None or first < self.first):
            self.first = first
        if last and (self.last is None or last > self.last):
            self.last = last


class UsageReader:
    def __init__(self, db: Database, group: str | None) -> None:
        self.db = db
        self.group = group
        tables = set(db.table_names())
        self.has_usage = "usage" in tables
        self.has_decisions = "decisions" in tables
        self.has_findings = self.has_decisions and "findings" in tables
        enforced = self.has_decisions and "enforced" in db.table("decisions").columns_dict
        self.enforced = "coalesce(enforced, action)" if enforced else "action"

    def where(self, start: str, end: str, prefix: str = "") -> tuple[str, list[Any]]:
        sql = f"{prefix}ts >= ? and {prefix}ts < ?"
        params: list[Any] = [start, end]
        if self.group is not None:
            sql += f" and {prefix}user_group = ?"
            params.append(self.group)
        return sql, params

    def rows(self, sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
        return list(self.db.execute(sql, params).fetchall())

    def usage(self, start: str, end: str) -> list[tuple[Any, ...]]:
        if not self.has_usage:
            return []
        where, params = self.where(start, end)
        return self.rows(
            f"""select {KEY},
                  coalesce(sum(kind = 'connection'), 0),
                  coalesce(sum(kind = 'connection' and coalesce(intercepted, 0) = 0), 0),
                  coalesce(sum(kind = 'request'), 0),
                  coalesce(sum(bytes_up), 0), coalesce(sum(bytes_down), 0),
                  min(ts), max(ts), coalesce(max(unknown_ai), 0),
                  group_concat(distinct heuristic)
               from usage where {where} group by 1, 2""",
            params,
        )

    def decisions(self, start: str, end: str) -> list[tuple[Any, ...]]:
        if not self.has_decisions:
            return []
        where, params = self.where(start, end)
        return self.rows(
            f"""select {KEY}, count(*),
                  coalesce(sum({self.enforced} = 'block'), 0),
                  coalesce(sum({self.enforced} = 'warn'), 0),
                  min(ts), max(ts)
               from decisions where {where} group by 1, 2""",
            params,
        )

    def _people(self, start: str, end: str, columns: str) -> tuple[str, list[Any]]:
        """Union of who used what (usage and decisions) — consumed by SQL only."""
        parts, params = [], []
        for table, present in (("usage", self.has_usage), ("decisions", self.has_decisions)):
            if present:
                where, p = self.where(start, end)
                parts.append(f"select {columns} from {table} where {where}")
                params += p
        return " union all ".join(parts), params

    def users(self, start: str, end: str) -> list[tuple[Any, ...]]:
        union, params = self._people(start, end, f"{KEY}, user_pseudonym")
        if not union:
            return []
        return self.rows(
            f"select service, hk, count(distinct user_pseudonym) from ({union}) group by 1, 2",
            params,
        )

    def total_users(self, start: str, end: str) -> int:
        union, params = self._people(start, end, "user_pseudonym")
        if not union:
            return 0
        found = self.rows(f"select count(distinct user_pseudonym) from ({union})", params)
        return int(found[0][0] or 0)

    def recorded_status(self, start: str, end: str) -> list[tuple[Any, ...]]:
        union, params = self._people(start, end, f"{KEY}, ts, tool, tool_status")
        if not union:
            return []
        return self.rows(
            f"""select service, hk, tool, tool_status from (
                  select service, hk, tool, tool_status,
                         row_number() over (partition by service, hk order by ts desc) as n
                  from ({union}) where tool_status is not null
               ) where n = 1""",
            params,
        )

    def findings(self, start: str, end: str) -> list[tuple[Any, ...]]:
        if not self.has_findings:
            return []
        where, params = self.where(start, end, prefix="d.")
        return self.rows(
            f"""select d.service, case when d.service is null then lower(d.host) end,
                  f.data_class, coalesce(sum(f.count), 0)
               from findings f join decisions d on d.id = f.decision_id
               where {where} and f.data_class is not null group by 1, 2, 3""",
            params,
        )


def collect(reader: UsageReader, start: str, end: str) -> dict[Key, Totals]:
    acc: dict[Key, Totals] = {}
    for (
        service,
        hk,
        conns,
        tunnelled,
        requests,
        up,
        down,
        first,
        last,
        unknown,
        heur,
    ) in reader.usage(start, end):
        a = acc.setdefault((service, hk), Totals())
        a.connections, a.tunnelled, a.requests = int(conns), int(tunnelled), int(requests)
        a.bytes_up, a.bytes_down = int(up), int(down)
        a.unknown_ai = bool(unknown) or service is None
        a.heuristics.update(h for h in (heur or "").split(",") if h)
        a.seen(first, last)
    for service, hk, prompts, blocked, warned, first, last in reader.decisions(start, end):
        a = acc.setdefault((service, hk), Totals())
        a.prompts, a.blocked, a.warned = int(prompts), int(blocked), int(warned)
        a.unknown_ai = a.unknown_ai or service is None
        a.seen(first, last)
    return acc
