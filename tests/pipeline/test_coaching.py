"""Coaching tokens and allowances (no mitmproxy needed)."""

from __future__ import annotations

import pytest

from checker.findings import Finding
from pipeline.coaching import Coaching, CoachingError, mask_text


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def issue(coaching: Coaching, user: str = "u-1", classes: tuple[str, ...] = ("personal",)) -> str:
    return coaching.issue(
        user=user,
        service="openai-api",
        service_name="OpenAI API",
        tool="gpt",
        data_classes=classes,
        entity_types=["IBAN_CODE", "EMAIL_ADDRESS", "EMAIL_ADDRESS"],
    )


def test_tokens_are_unguessable_and_carry_kinds_and_counts_only() -> None:
    coaching = Coaching()
    tokens = {issue(coaching) for _ in range(5)}
    assert len(tokens) == 5 and all(len(t) >= 43 for t in tokens)
    ticket = coaching.ticket(next(iter(tokens)), "u-1")
    assert ticket.entity_counts == (("EMAIL_ADDRESS", 2), ("IBAN_CODE", 1))


def test_redeem_is_single_use_and_grants_the_pattern() -> None:
    clock = Clock()
    coaching = Coaching(clock=clock)
    token = issue(coaching)
    assert coaching.allowed("u-1", "openai-api", ["personal"]) is None
    allowance = coaching.redeem(token, "u-1", "Kunde wartet dringend", minutes=15)
    assert allowance.expires == clock.now + 900
    with pytest.raises(CoachingError, match="unknown"):
        coaching.redeem(token, "u-1", "Kunde wartet dringend", minutes=15)
    assert coaching.allowed("u-1", "openai-api", ["personal"]) == allowance
    assert coaching.allowed("u-1", "openai-api", []) == allowance  # a subset
    assert coaching.allowed("u-1", "openai-api", ["personal", "secrets"]) is None
    assert coaching.allowed("u-2", "openai-api", ["personal"]) is None
    assert coaching.allowed("u-1", "anthropic-api", ["personal"]) is None
    clock.now += 900
    assert coaching.allowed("u-1", "openai-api", ["personal"]) is None


def test_wrong_user_cannot_use_a_token_and_the_owner_still_can() -> None:
    coaching = Coaching()
    token = issue(coaching, user="u-1")
    with pytest.raises(CoachingError, match="wrong_user"):
        coaching.redeem(token, "u-2", "Kunde wartet dringend", minutes=15)
    coaching.redeem(token, "u-1", "Kunde wartet dringend", minutes=15)


def test_token_expires() -> None:
    clock = Clock()
    coaching = Coaching(clock=clock, link_ttl_s=60)
    token = issue(coaching)
    clock.now += 61
    with pytest.raises(CoachingError, match="expired"):
        coaching.ticket(token, "u-1")
    with pytest.raises(CoachingError, match="unknown"):  # and is gone
        coaching.ticket(token, "u-1")


def test_short_justification_keeps_the_token() -> None:
    coaching = Coaching()
    token = issue(coaching)
    with pytest.raises(CoachingError, match="too_short"):
        coaching.redeem(token, "u-1", "  weil  ", minutes=15)
    coaching.redeem(token, "u-1", "weil der Kunde wartet", minutes=15)


def test_discard_uses_the_token_up() -> None:
    coaching = Coaching()
    token = issue(coaching)
    coaching.discard(token, "u-1")
    with pytest.raises(CoachingError):
        coaching.redeem(token, "u-1", "Kunde wartet dringend", minutes=15)


def test_bounds_per_user_and_overall() -> None:
    coaching = Coaching(max_tickets=10, max_tickets_per_user=3)
    first = issue(coaching, user="u-1")
    mine = [issue(coaching, user="u-1") for _ in range(3)]
    assert len(coaching) == 3
    with pytest.raises(CoachingError):
        coaching.ticket(first, "u-1")  # the oldest of that user went first
    coaching.ticket(mine[-1], "u-1")
    for n in range(20):
        issue(coaching, user=f"other-{n}")
    assert len(coaching) == 10


def test_allowances_are_bounded() -> None:
    coaching = Coaching(max_allowances=2, max_allowances_per_key=2)
    for user in ("a", "b", "c"):
        coaching.redeem(issue(coaching, user=user), user, "Kunde wartet dringend", minutes=15)
    assert coaching.allowed("a", "openai-api", ["personal"]) is None  # evicted
    assert coaching.allowed("c", "openai-api", ["personal"]) is not None


def test_mask_text_replaces_spans_and_merges_overlaps() -> None:
    text = "Mail a@b.de und DE89 3704 0044 0532 0130 00 ok"
    findings = [
        Finding("EMAIL_ADDRESS", "personal", 5, 11, 1.0),
        Finding("IBAN_CODE", "personal", 16, 43, 1.0),
        Finding("PHONE_NUMBER", "personal", 20, 30, 0.4),  # inside the IBAN
    ]
    assert mask_text(text, findings) == "Mail <EMAIL_ADDRESS> und <IBAN_CODE> ok"
    assert mask_text("nichts", []) == "nichts"
