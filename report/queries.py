"""The report's SQL (report/data.py builds the report from it): read-only queries over
the findings store that return totals only, never a pseudonym or a per-person figure."""

from __future__ import annotations

from typing import Any

from sqlite_utils import Database

from policy.model import ACTION_RANK

# Every action, least restrictive first.
ACTIONS: tuple[str, ...] = tuple(sorted(ACTION_RANK, key=ACTION_RANK.__getitem__))


class ReportQueries:
    """Read-only queries; each returns counts only."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.tables = set(db.table_names())
        self.has_decisions = "decisions" in self.tables
        enforced = self.has_decisions and "enforced" in db.table("decisions").columns_dict
        self.enforced = "coalesce(enforced, action)" if enforced else "action"

    def rows(self, sql: str, params: list[Any] | dict[str, Any]) -> list[tuple[Any, ...]]:
        return list(self.db.execute(sql, params).fetchall())

    def one(self, sql: str, params: list[Any] | dict[str, Any]) -> tuple[Any, ...]:
        return self.rows(sql, params)[0]

    # -- key figures

    def figures(self, start: str, end: str) -> tuple[int, int, int, dict[str, int]]:
        if not self.has_decisions:
            return 0, 0, 0, dict.fromkeys(ACTIONS, 0)
        prompts, with_findings, violations = self.one(
            """select count(*), coalesce(sum(coalesce(finding_count, 0) > 0), 0),
                 coalesce(sum(coalesce(data_classes, '[]') not in ('', '[]')), 0)
               from decisions where ts >= ? and ts < ?""",
            [start, end],
        )
        actions = dict.fromkeys(ACTIONS, 0)
        for action, count in self.rows(
            f"select {self.enforced}, count(*) from decisions where ts >= ? and ts < ? group by 1",
            [start, end],
        ):
            if action in actions:
                actions[action] = int(count)
        return int(prompts), int(with_findings), int(violations), actions

    # -- departments

    def _people(self, start: str, end: str) -> tuple[str, list[Any]]:
        parts, params = [], []
        for table in ("usage", "decisions"):
            if table in self.tables:
                parts.append(
                    f"select coalesce(user_group, '') as g, user_pseudonym as u from {table} "
                    "where ts >= ? and ts < ?"
                )
                params += [start, end]
        return " union all ".join(parts), params

    def group_users(self, start: str, end: str) -> dict[str, int]:
        union, params = self._people(start, end)
        if not union:
            return {}
        return {
            str(g): int(n)
            for g, n in self.rows(f"select g, count(distinct u) from ({union}) group by g", params)
        }

    def users_of(self, start: str, end: str, groups: list[str]) -> int:
        union, params = self._people(start, end)
        if not union or not groups:
            return 0
        marks = ", ".join("?" for _ in groups)
        found = self.one(
            f"select count(distinct u) from ({union}) where g in ({marks})", [*params, *groups]
        )
        return int(found[0] or 0)

    def group_counts(self, start: str, end: str) -> dict[str, list[int]]:
        """group -> [prompts, with findings, violations, stopped, redacted, requests]."""
        out: dict[str, list[int]] = {}
        if self.has_decisions:
            for g, *counts in self.rows(
                f"""select coalesce(user_group, ''), count(*),
                      coalesce(sum(coalesce(finding_count, 0) > 0), 0),
                      coalesce(sum(coalesce(data_classes, '[]') not in ('', '[]')), 0),
                      coalesce(sum({self.enforced} in ('block', 'warn')), 0),
                      coalesce(sum({self.enforced} = 'redact'), 0)
                   from decisions where ts >= ? and ts < ? group by 1""",
                [start, end],
            ):
                out[str(g)] = [int(c) for c in counts] + [0]
        if "usage" in self.tables:
            for g, requests in self.rows(
                """select coalesce(user_group, ''), count(*) from usage
                   where ts >= ? and ts < ? and kind = 'request' group by 1""",
                [start, end],
            ):
                out.setdefault(str(g), [0, 0, 0, 0, 0, 0])[5] = int(requests)
        return out

    # -- violations by data class

    def classes(self, start: str, end: str) -> dict[str, tuple[int, int]]:
        """violating class -> (prompts, detected values of that class in them)."""
        if not self.has_decisions:
            return {}
        prompts = {
            str(c): int(n)
            for c, n in self.rows(
                """select j.value, count(*) from decisions d, json_each(d.data_classes) j
                   where d.ts >= ? and d.ts < ? and json_valid(d.data_classes)
                   group by 1""",
                [start, end],
            )
        }
        values: dict[str, int] = {}
        if "findings" in self.tables:
            values = {
                str(c): int(n)
                for c, n in self.rows(
                    """select f.data_class, coalesce(sum(f.count), 0)
                       from findings f join decisions d on d.id = f.decision_id
                       where d.ts >= ? and d.ts < ? and json_valid(d.data_classes)
                         and exists (select 1 from json_each(d.data_classes) j
                                     where j.value = f.data_class)
                       group by 1""",
                    [start, end],
                )
            }
        return {c: (n, values.get(c, 0)) for c, n in prompts.items()}

    def daily_classes(self, start: str, end: str) -> list[tuple[str, str, int]]:
        if not self.has_decisions:
            return []
        return [
            (str(day), str(c), int(n))
            for day, c, n in self.rows(
                """select substr(d.ts, 1, 10), j.value, count(*)
                   from decisions d, json_each(d.data_classes) j
                   where d.ts >= ? and d.ts < ? and json_valid(d.data_classes)
                   group by 1, 2""",
                [start, end],
            )
        ]

    # -- coaching

    def coaching(self, start: str, end: str, window_minutes: int) -> tuple[int, int, int]:
        """(coached stops, cases, proceeded cases) — see the module docstring."""
        if not self.has_decisions:
            return 0, 0, 0
        follow = [
            """select user_pseudonym as u, service as s, julianday(ts) as t from decisions
               where exists (select 1 from json_each(decisions.reasons) r
                             where r.value = 'justified') and json_valid(reasons)"""
        ]
        if "coaching" in self.tables:
            follow.append("select user_pseudonym, service, julianday(ts) from coaching")
        found = self.one(
            f"""with stops as (
                  select user_pseudonym as u, service as s, julianday(ts) as t
                  from decisions
                  where ts >= :start and ts < :end and {self.enforced} = 'warn'
                    and json_valid(reasons)
                    and exists (select 1 from json_each(decisions.reasons) r
                                where r.value = 'coached')
                ), gaps as (
                  select u, s, t, t - lag(t) over (partition by u, s order by t) as gap
                  from stops
                ), numbered as (
                  select u, s, t, sum(case when gap is null or gap > :w then 1 else 0 end)
                    over (partition by u, s order by t rows unbounded preceding) as n
                  from gaps
                ), cases as (
                  select u, s, min(t) as t0, max(t) as t1, count(*) as stops
                  from numbered group by u, s, n
                ), follow as ({" union all ".join(follow)})
                select count(*), coalesce(sum(stops), 0),
                  coalesce(sum(exists (select 1 from follow f
                                       where f.u is cases.u and f.s is cases.s
                                         and f.t >= cases.t0 and f.t <= cases.t1 + :w)), 0)
                from cases""",
            {"start": start, "end": end, "w": window_minutes / 1440},
        )
        cases, stops, proceeded = (int(v) for v in found)
        return stops, cases, proceeded

    def justifications(self, start: str, end: str) -> tuple[int, int]:
        given = 0
        if "coaching" in self.tables:
            given = int(
                self.one("select count(*) from coaching where ts >= ? and ts < ?", [start, end])[0]
            )
        justified = 0
        if self.has_decisions:
            justified = int(
                self.one(
                    """select count(*) from decisions where ts >= ? and ts < ?
                         and json_valid(reasons)
                         and exists (select 1 from json_each(decisions.reasons) r
                                     where r.value = 'justified')""",
                    [start, end],
                )[0]
            )
        return given, justified

    def approval_requests(self, start: str, end: str) -> tuple[int, int]:
        """(open, new): requests open at the end of the period — asked before it ends
        and, as the DPO's answers stood then, neither approved, rejected nor waiting for
        the person's answer — and how many of them were first asked in the period. A
        report for an earlier month counts what was open then, not what is open now."""
        if "approval_requests" not in self.tables:
            return 0, 0
        answered = "approval_decisions" in self.tables
        last = (
            "(select {0} from approval_decisions d where d.request_id = a.id and d.ts < :end "
            "order by d.ts desc, d.id desc limit 1)"
        )
        columns = (
            f"{last.format('d.to_status')}, {last.format('d.ts')}, "
            "(select count(*) from approval_decisions d where d.request_id = a.id)"
            if answered
            else "null, null, 0"
        )
        open_, new = 0, 0
        for ts, asked_last, status, answer, answered_at, answers in self.rows(
            f"""select a.ts, coalesce(a.last_ts, a.ts), coalesce(a.status, 'open'), {columns}
                from approval_requests a where a.ts < :end""",
            {"end": end},
        ):
            # Without any answer on record the row's status is all there is (rows from
            # before the answers were kept); with answers, the last before the end.
            state = status if not answers else (answer or "open")
            if state == "needs_info" and answered_at and answered_at < asked_last < end:
                state = "open"  # the person answered the question by asking again
            if state == "open":
                open_ += 1
                new += ts >= start
        return open_, new
