"""Coaching (policy action "warn"): one-time links and the allowances they grant.

The first prompt that a policy answers with "warn" is stopped; its answer carries a
link `http://<portal host>/coach/<token>`. On that page (proxy_addon/portal.py) the
employee may give a short justification; redeeming the token grants an *allowance*:
for N minutes the same user may send prompts to the same service whose violating
data classes are a subset of the justified ones.

Tokens are unguessable (`secrets`, 256 bits), single-use, expire, and are bound to
the user they were issued to (the keyed pseudonym of the proxy-auth user, or of the
client address on networks without proxy login). Both stores are in memory and
bounded; a restart forgets open links and allowances (employees justify again), the
justifications themselves are in the findings store.

Nothing here holds a detected value: a ticket knows entity *types* and counts only.
"""

from __future__ import annotations

import hmac
import secrets
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from checker.findings import Finding

LINK_TTL_S = 30 * 60  # how long a coaching link stays valid
MIN_JUSTIFICATION = 10  # characters
MAX_JUSTIFICATION = 2000


class CoachingError(Exception):
    """A token cannot be redeemed; `reason` is unknown | used | expired | wrong_user | too_short."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Ticket:
    """What a coaching link stands for: one stopped prompt (kinds and counts, no values)."""

    token: str
    user: str  # binding identity: the pseudonym of the proxy-auth user or client address
    group: str | None
    service: str  # catalog id
    service_name: str
    tool: str | None
    data_classes: tuple[str, ...]
    entity_counts: tuple[tuple[str, int], ...]  # (entity type, count), most common first
    alternatives: tuple[str, ...]
    policy_version: str | None
    issued: float
    expires: float
    # A public name of this link (not the token): the stopped decision, the stored
    # justification and the decisions the allowance lets through carry it.
    ref: str = ""


@dataclass(frozen=True)
class Allowance:
    user: str
    service: str
    tool: str | None
    data_classes: frozenset[str]
    granted: float
    expires: float
    ref: str = ""  # the ticket's ref: which justification let a prompt through


class Coaching:
    """Token store and allowances. Used from the event loop only (no locking)."""

    def __init__(
        self,
        *,
        link_ttl_s: float = LINK_TTL_S,
        max_tickets: int = 10_000,
        max_tickets_per_user: int = 20,
        max_allowances: int = 10_000,
        max_allowances_per_key: int = 8,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.link_ttl_s = link_ttl_s
        self.max_tickets = max_tickets
        self.max_tickets_per_user = max_tickets_per_user
        self.max_allowances = max_allowances
        self.max_allowances_per_key = max_allowances_per_key
        self.clock = clock
        self._tickets: dict[str, Ticket] = {}  # insertion order = age
        self._allowances: dict[tuple[str, str], list[Allowance]] = {}

    # ---- links ------------------------------------------------------------
    def issue(
        self,
        *,
        user: str,
        service: str,
        service_name: str,
        tool: str | None,
        data_classes: Sequence[str],
        entity_types: Iterable[str],
        alternatives: Sequence[str] = (),
        group: str | None = None,
        policy_version: str | None = None,
    ) -> str:
        """A new one-time token for a stopped prompt of `user` (`ticket(token).ref`
        names it in the store)."""
        now = self.clock()
        self._prune(now)
        mine = [t for t, ticket in self._tickets.items() if ticket.user == user]
        for token in mine[: max(0, len(mine) - self.max_tickets_per_user + 1)]:
            del self._tickets[token]  # one user cannot crowd out everybody else
        while len(self._tickets) >= self.max_tickets:
            del self._tickets[next(iter(self._tickets))]
        token = secrets.token_urlsafe(32)
        self._tickets[token] = Ticket(
            ref="c-" + secrets.token_hex(8),
            token=token,
            user=user,
            group=group,
            service=service,
            service_name=service_name,
            tool=tool,
            data_classes=tuple(data_classes),
            entity_counts=tuple(Counter(entity_types).most_common()),
            alternatives=tuple(alternatives),
            policy_version=policy_version,
            issued=now,
            expires=now + self.link_ttl_s,
        )
        return token

    def ticket(self, token: str, user: str) -> Ticket:
        """The open ticket behind `token` for `user`; CoachingError when there is none."""
        ticket = self._tickets.get(token)
        if ticket is None:
            raise CoachingError("unknown")  # never issued, already used, or dropped
        if ticket.expires <= self.clock():
            del self._tickets[token]
            raise CoachingError("expired")
        if not hmac.compare_digest(ticket.user.encode(), user.encode()):
            raise CoachingError("wrong_user")  # the token stays valid for its owner
        return ticket

    def redeem(self, token: str, user: str, justification: str, minutes: float) -> Allowance:
        """Use a token (once): grant `user` an allowance of `minutes` for its pattern."""
        ticket = self.ticket(token, user)
        if len(justification.strip()) < MIN_JUSTIFICATION:
            raise CoachingError("too_short")
        del self._tickets[token]
        now = self.clock()
        allowance = Allowance(
            user=ticket.user,
            service=ticket.service,
            tool=ticket.tool,
            data_classes=frozenset(ticket.data_classes),
            granted=now,
            expires=now + minutes * 60,
            ref=ticket.ref,
        )
        key = (ticket.user, ticket.service)
        if key not in self._allowances and len(self._allowances) >= self.max_allowances:
            self._prune(now)
            while len(self._allowances) >= self.max_allowances:
                del self._allowances[next(iter(self._allowances))]
        kept = [a for a in self._allowances.get(key, []) if a.expires > now]
        self._allowances[key] = [*kept, allowance][-self.max_allowances_per_key :]
        return allowance

    def discard(self, token: str, user: str) -> Ticket:
        """The employee cancelled: the link is used up without an allowance."""
        ticket = self.ticket(token, user)
        del self._tickets[token]
        return ticket

    # ---- allowances ---------------------------------------------------------
    def allowed(self, user: str, service: str, data_classes: Iterable[str]) -> Allowance | None:
        """An allowance covering this prompt: same user and service, classes ⊆ justified."""
        wanted = set(data_classes)
        now = self.clock()
        for allowance in self._allowances.get((user, service), []):
            if allowance.expires > now and wanted <= allowance.data_classes:
                return allowance
        return None

    def _prune(self, now: float) -> None:
        for token in [t for t, ticket in self._tickets.items() if ticket.expires <= now]:
            del self._tickets[token]
        for key in list(self._allowances):
            kept = [a for a in self._allowances[key] if a.expires > now]
            if kept:
                self._allowances[key] = kept
            else:
                del self._allowances[key]

    def __len__(self) -> int:
        return len(self._tickets)


def mask_text(text: str, findings: Iterable[Finding]) -> str:
    """`text` with every finding's span replaced by `<ENTITY_TYPE>` (overlaps merged)."""
    spans = sorted((f.start, f.end, f.entity_type) for f in findings if f.end > f.start)
    merged: list[tuple[int, int, str]] = []
    for start, end, kind in spans:
        if merged and start < merged[-1][1]:
            last_start, last_end, last_kind = merged[-1]
            merged[-1] = (last_start, max(last_end, end), last_kind)
        else:
            merged.append((start, end, kind))
    out, position = [], 0
    for start, end, kind in merged:
        out.append(text[position:start])
        out.append(f"<{kind}>")
        position = end
    out.append(text[position:])
    return "".join(out)
