"""The numbers of the management report, read from the findings store.

Everything here is language-independent; report/render.py words it. Like the usage
inventory (store/inventory.py, reused for the per-tool part), the report is for the
management *and* the works council (§87 BetrVG): only totals leave the SQL queries
here, never a pseudonym or a per-person figure. Departments (the policy's user
groups) used by fewer than `privacy_threshold` distinct people are merged into one
"other" row; if that row would still be below the threshold, the smallest remaining
departments are merged into it too (otherwise "total minus the others" would give
the small department's figures away).

Periods are calendar months (`2026-11`) or quarters (`2026-Q4`) in UTC, the store's
time zone; the comparison ("trend") is always the calendar period before.

How each figure is counted:

- prompts checked: decisions (one per scanned prompt) in the period.
- with findings: decisions with at least one finding (also findings the policy allows).
- violations: decisions whose *violating* data classes (`decisions.data_classes`, the
  classes the policy does not allow for that tool) are not empty; per data class, the
  decisions in which that class was violating. Detected values: the findings of that
  class in those decisions (sum of `findings.count`).
- enforced actions: what the gateway did (`enforced`, else `action`): allow, log,
  warn (coached stop), redact, block.
- distinct users / tools used: from the inventory (usage and decisions together).
- coaching effect: a *coached stop* is a decision enforced as "warn" with the reason
  "coached" (the prompt was stopped with a link to justify it). Stops of the same
  person for the same service that follow each other within the coaching window
  (default 45 minutes: the link is valid 30 minutes, an allowance lasts 15 by default)
  form one *case* — retrying the same prompt is one decision, not several. A case
  *proceeded* when that person gave a justification for that service (a `coaching`
  row) or sent a justified prompt (a decision with reason "justified") between the
  case's first stop and one window after its last stop. *Abandoned* = cases minus
  proceeded: the person did not send the flagged data to that service (they may have
  rephrased without it, used an approved tool, or given up — the store cannot tell).
  Matching happens inside SQL; only the three counts come out.
- approval requests: open requests (status "open") submitted before the period end,
  and how many of them were submitted within the period.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlite_utils import Database

from policy.model import Policy
from report.queries import ReportQueries
from store.inventory import (
    DEFAULT_MIN_USERS,
    DEFAULT_PRIVACY_THRESHOLD,
    Inventory,
    ServiceRow,
    inventory,
)

DEFAULT_COACHING_WINDOW_MINUTES = 45
OTHER = "__other__"  # key of the merged small departments (and prompts without a group)

_MONTH = re.compile(r"^\s*(\d{4})-(\d{1,2})\s*$")
_QUARTER = re.compile(r"^\s*(\d{4})-?[qQ]([1-4])\s*$")


class ReportError(ValueError):
    """Bad input for the report (a period that cannot be read)."""


# --- the period -------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """[start, end) in UTC, and the calendar period of the same kind before it."""

    kind: str  # "month" | "quarter"
    year: int
    number: int  # month 1–12 or quarter 1–4
    start: datetime
    end: datetime
    previous_start: datetime

    @property
    def label(self) -> str:
        return f"{self.year}-{self.number:02d}" if self.kind == "month" else self.quarter_label

    @property
    def quarter_label(self) -> str:
        return f"{self.year}-Q{self.number}"

    @property
    def previous_label(self) -> str:
        return _period_of(self.kind, self.previous_start).label


def _month_start(year: int, month: int) -> datetime:
    return datetime(year, month, 1, tzinfo=UTC)


def _add_months(when: datetime, months: int) -> datetime:
    index = when.year * 12 + (when.month - 1) + months
    return _month_start(index // 12, index % 12 + 1)


def _period_of(kind: str, start: datetime) -> Period:
    size = 1 if kind == "month" else 3
    number = start.month if kind == "month" else (start.month - 1) // 3 + 1
    return Period(
        kind=kind,
        year=start.year,
        number=number,
        start=start,
        end=_add_months(start, size),
        previous_start=_add_months(start, -size),
    )


def parse_period(text: str) -> Period:
    """`2026-11` (a calendar month) or `2026-Q4` (a quarter), UTC."""
    month = _MONTH.match(text)
    if month and 1 <= int(month.group(2)) <= 12:
        return _period_of("month", _month_start(int(month.group(1)), int(month.group(2))))
    quarter = _QUARTER.match(text)
    if quarter:
        q = int(quarter.group(2))
        return _period_of("quarter", _month_start(int(quarter.group(1)), 3 * q - 2))
    raise ReportError(f"invalid period {text!r}: use a month such as 2026-11 or a quarter 2026-Q4")


def previous_month_period(now: datetime | None = None) -> Period:
    """The last complete calendar month (the default period)."""
    now = (now or datetime.now(UTC)).astimezone(UTC)
    return _period_of("month", _add_months(_month_start(now.year, now.month), -1))


def _iso(when: datetime) -> str:
    return when.astimezone(UTC).isoformat(timespec="milliseconds")


# --- the report data --------------------------------------------------------------------


@dataclass(frozen=True)
class KeyFigures:
    prompts: int
    with_findings: int
    violations: int  # prompts with at least one violating data class
    actions: dict[str, int]  # enforced action -> prompts (every action in ACTIONS)
    users: int | None  # distinct users; None below the privacy threshold
    tools: int  # services (and unknown AI hosts) used
    previous_prompts: int
    previous_violations: int

    @property
    def findings_share(self) -> float | None:
        return self.with_findings / self.prompts * 100 if self.prompts else None


@dataclass(frozen=True)
class Department:
    key: str  # group id, or OTHER
    merged: tuple[str, ...]  # for OTHER: the group ids merged into it ("" = no group)
    users: int | None  # None: the row is below the threshold even after merging
    prompts: int
    with_findings: int
    violations: int
    stopped: int  # enforced block or warn
    redacted: int
    requests: int  # intercepted AI requests (usage)


@dataclass(frozen=True)
class ClassRow:
    data_class: str
    prompts: int  # decisions in which the class was violating
    values: int  # detected values of that class in those decisions
    previous: int  # prompts in the previous period

    @property
    def change(self) -> int:
        return self.prompts - self.previous

    @property
    def percent(self) -> float | None:
        return (self.prompts - self.previous) / self.previous * 100 if self.previous else None


@dataclass(frozen=True)
class Week:
    year: int
    week: int  # ISO week
    start: date  # first day of the week inside the period
    counts: dict[str, int]  # data class -> violating prompts


@dataclass(frozen=True)
class CoachingEffect:
    stops: int  # coached stops (prompts)
    cases: int  # stops of one person for one service within the window, merged
    proceeded: int
    justifications: int  # justifications given in the period (coaching rows)
    justified_prompts: int  # prompts sent under an allowance in the period
    window_minutes: int

    @property
    def abandoned(self) -> int:
        return self.cases - self.proceeded

    @property
    def abandoned_share(self) -> float | None:
        return self.abandoned / self.cases * 100 if self.cases else None


@dataclass(frozen=True)
class ReportData:
    period: Period
    generated: datetime
    privacy_threshold: int
    min_users: int
    organization: str | None
    figures: KeyFigures
    inventory: Inventory
    departments: tuple[Department, ...]
    classes: tuple[ClassRow, ...]  # violating classes, policy order then name
    weeks: tuple[Week, ...]
    coaching: CoachingEffect
    open_requests: int
    new_requests: int

    @property
    def tools(self) -> tuple[ServiceRow, ...]:
        return self.inventory.rows

    @property
    def candidates(self) -> tuple[ServiceRow, ...]:
        return self.inventory.candidates

    @property
    def empty(self) -> bool:
        return self.figures.prompts == 0 and self.inventory.empty


def _departments(
    store: ReportQueries, start: str, end: str, threshold: int
) -> tuple[Department, ...]:
    users = store.group_users(start, end)
    counts = store.group_counts(start, end)
    groups = set(users) | set(counts)
    named = sorted(
        (g for g in groups if g and users.get(g, 0) >= threshold),
        key=lambda g: (users.get(g, 0), g),
    )
    other = sorted(g for g in groups if g not in named)
    other_users = store.users_of(start, end, other)
    # Secondary suppression: a below-threshold "other" row would be "total minus the
    # rest", so merge the smallest named departments into it until it is not.
    while other and other_users < threshold and named:
        other.append(named.pop(0))
        other_users = store.users_of(start, end, other)

    def row(key: str, members: list[str], n_users: int | None) -> Department:
        total = [0] * 6
        for g in members:
            for i, value in enumerate(counts.get(g, [0] * 6)):
                total[i] += value
        return Department(key, tuple(sorted(members)) if key == OTHER else (), n_users, *total)

    rows = [row(g, [g], users.get(g, 0)) for g in named]
    rows.sort(key=lambda d: (-d.prompts, -(d.users or 0), d.key))
    if other:
        rows.append(row(OTHER, other, other_users if other_users >= threshold else None))
    return tuple(rows)


def _weeks(
    period: Period, daily: list[tuple[str, str, int]], classes: tuple[str, ...]
) -> tuple[Week, ...]:
    weeks: dict[tuple[int, int], Week] = {}
    day = period.start.date()
    while day < period.end.date():
        iso = day.isocalendar()
        key = (iso.year, iso.week)
        if key not in weeks:
            weeks[key] = Week(iso.year, iso.week, day, dict.fromkeys(classes, 0))
        day += timedelta(days=1)
    for text, data_class, count in daily:
        iso = date.fromisoformat(text).isocalendar()
        week = weeks.get((iso.year, iso.week))
        if week is not None and data_class in week.counts:
            week.counts[data_class] += count
    return tuple(weeks.values())


def build_report(
    db: Database,
    period: Period,
    *,
    policy: Policy | None = None,
    policy_version: str | None = None,
    privacy_threshold: int = DEFAULT_PRIVACY_THRESHOLD,
    min_users: int = DEFAULT_MIN_USERS,
    coaching_window_minutes: int = DEFAULT_COACHING_WINDOW_MINUTES,
    now: datetime | None = None,
) -> ReportData:
    """The report for `period` (see the module docstring for how each number is counted).

    `policy`: decides tool status (approved/tolerated/unapproved) and orders data
    classes; without one, the status recorded at the time of use is shown.
    """
    if privacy_threshold < 1 or min_users < 1 or coaching_window_minutes < 1:
        raise ReportError("privacy threshold, min users and coaching window must be at least 1")
    store = ReportQueries(db)
    s, e, p = _iso(period.start), _iso(period.end), _iso(period.previous_start)
    generated = (now or datetime.now(UTC)).astimezone(UTC)

    inv = inventory(
        db,
        period.start,
        period.end,
        policy=policy,
        policy_version=policy_version,
        min_users=min_users,
        privacy_threshold=privacy_threshold,
        now=generated,
    )
    prompts, with_findings, violations, actions = store.figures(s, e)
    previous_prompts, _, previous_violations, _ = store.figures(p, s)
    figures = KeyFigures(
        prompts=prompts,
        with_findings=with_findings,
        violations=violations,
        actions=actions,
        users=inv.users,
        tools=len(inv.rows),
        previous_prompts=previous_prompts,
        previous_violations=previous_violations,
    )

    current, previous = store.classes(s, e), store.classes(p, s)
    seen = set(current) | set(previous)
    ordered = [c for c in (policy.data_classes if policy else ()) if c in seen]
    order = (*ordered, *sorted(seen - set(ordered)))
    none = (0, 0)
    classes = tuple(
        ClassRow(c, current.get(c, none)[0], current.get(c, none)[1], previous.get(c, none)[0])
        for c in order
    )
    week_classes = tuple(c for c in order if c in current)

    stops, cases, proceeded = store.coaching(s, e, coaching_window_minutes)
    given, justified = store.justifications(s, e)
    open_requests, new_requests = store.approval_requests(s, e)
    return ReportData(
        period=period,
        generated=generated,
        privacy_threshold=privacy_threshold,
        min_users=min_users,
        organization=policy.organization if policy is not None else None,
        figures=figures,
        inventory=inv,
        departments=_departments(store, s, e, privacy_threshold),
        classes=classes,
        weeks=_weeks(period, store.daily_classes(s, e), week_classes),
        coaching=CoachingEffect(
            stops=stops,
            cases=cases,
            proceeded=proceeded,
            justifications=given,
            justified_prompts=justified,
            window_minutes=coaching_window_minutes,
        ),
        open_requests=open_requests,
        new_requests=new_requests,
    )
