"""Rollout modes (monitor, coach, enforce): the pure mode function, where the mode comes
from (policy-wide, per group), validation, and what the guideline says about it."""

from __future__ import annotations

import dataclasses
import itertools
import re
from pathlib import Path
from typing import get_args

import pypdf
import pytest

from policy.decide import Decision, decide, effective_action, unchecked_decision
from policy.loader import PolicyError, load_policy, parse_policy
from policy.model import Action, Mode, Policy
from policy.render import render
from tests.policy.chromium import print_to_pdf

EXAMPLES = Path(__file__).parents[2] / "policy" / "examples"

BASE = """\
version: 1
organization: Muster GmbH
contact: dsb@muster.example
data_classes:
  personal: {label: {de: Personenbezogene Daten, en: Personal data}, entities: [IBAN_CODE]}
  secrets: {entities: [SECRET]}
tools:
  chatgpt: {name: ChatGPT Enterprise, services: [openai-api], allowed: []}
  deepl: {services: [deepl], status: tolerated, on_violation: {personal: redact}}
  deepseek: {services: [deepseek], status: unapproved}
on_violation: {personal: block, secrets: block}
"""


def policy(extra: str = "") -> Policy:
    return parse_policy(BASE + extra, "rollout.yaml").policy


ACTIONS: tuple[Action, ...] = get_args(Action)
MODES: tuple[Mode, ...] = get_args(Mode)


# ---- the pure function -----------------------------------------------------------


@pytest.mark.parametrize(
    ("mode", "expected"),
    [
        (
            "enforce",
            {"allow": "allow", "log": "log", "warn": "warn", "redact": "redact", "block": "block"},
        ),
        (
            "coach",
            {"allow": "allow", "log": "log", "warn": "warn", "redact": "redact", "block": "warn"},
        ),
        (
            "monitor",
            {"allow": "allow", "log": "log", "warn": "log", "redact": "log", "block": "log"},
        ),
    ],
)
def test_effective_action_per_mode(mode: Mode, expected: dict[Action, Action]) -> None:
    assert {action: effective_action(action, mode) for action in ACTIONS} == expected


@pytest.mark.parametrize(("action", "mode"), list(itertools.product(ACTIONS, MODES)))
def test_a_mode_never_makes_anything_stricter(action: Action, mode: Mode) -> None:
    order = ["allow", "log", "warn", "redact", "block"]
    assert order.index(effective_action(action, mode)) <= order.index(action)
    # monitor never stops, coaches or rewrites anything
    if mode == "monitor":
        assert effective_action(action, mode) in ("allow", "log")


# ---- where the mode comes from ---------------------------------------------------


def test_without_a_mode_everything_is_enforced_as_before() -> None:
    p = policy("groups: {hr: {users: [a.b]}}\n")
    assert p.mode == "enforce" and p.groups["hr"].mode is None
    for group in (None, "hr"):
        decision = decide(p, "openai-api", group, ["personal"])
        assert (decision.action, decision.mode, decision.effective) == ("block", "enforce", "block")
        assert not decision.mode_applied


def test_policy_wide_monitor_keeps_the_policy_action_and_does_not_enforce_it() -> None:
    p = policy("mode: monitor\n")
    decision = decide(p, "openai-api", None, ["personal"])
    assert decision.action == "block"  # what enforcement would do: recorded, tested
    assert decision.reasons == ("personal:not_allowed:block",)
    assert decision.data_classes == ("personal",) and decision.alternatives == ()
    assert (decision.mode, decision.effective, decision.mode_applied) == ("monitor", "log", True)
    # a clean prompt to an approved tool stays "allow"; tool-use blocks are not enforced
    assert decide(p, "openai-api", None, []).effective == "allow"
    unapproved = decide(p, "deepseek", None, [])
    assert (unapproved.action, unapproved.effective) == ("block", "log")
    redact = decide(p, "deepl", None, ["personal"])
    assert (redact.action, redact.effective) == ("redact", "log")


def test_coach_turns_block_into_warn_and_keeps_redact() -> None:
    p = policy("mode: coach\n")
    blocked = decide(p, "openai-api", None, ["personal", "secrets"])
    assert (blocked.action, blocked.effective) == ("block", "warn")
    redacted = decide(p, "deepl", None, ["personal"])
    assert (redacted.action, redacted.effective, redacted.mode_applied) == (
        "redact",
        "redact",
        False,
    )
    assert decide(p, "deepseek", None, []).effective == "warn"  # coached tool use


def test_the_group_mode_wins_over_the_policy_wide_mode() -> None:
    p = policy(
        "mode: monitor\n"
        "groups:\n"
        "  pilot: {networks: [10.0.1.0/24], mode: enforce}\n"
        "  sales: {users: [k.schmidt], mode: coach}\n"
        "  hr: {users: [a.b]}\n"
    )
    assert p.mode_of(None) == p.mode_of("hr") == p.mode_of("unknown") == "monitor"
    assert (p.mode_of("pilot"), p.mode_of("sales")) == ("enforce", "coach")
    effective = {
        g: decide(p, "openai-api", g, ["personal"]).effective
        for g in (None, "hr", "pilot", "sales")
    }
    assert effective == {None: "log", "hr": "log", "pilot": "block", "sales": "warn"}
    # the other way round: enforce everywhere, monitor for one department
    q = policy("groups: {pilot: {networks: [10.0.1.0/24], mode: monitor}}\n")
    assert decide(q, "openai-api", None, ["personal"]).effective == "block"
    assert decide(q, "openai-api", "pilot", ["personal"]).effective == "log"


def test_unchecked_decisions_carry_the_mode_too() -> None:
    p = policy("groups: {pilot: {users: [x], mode: monitor}}\n")
    failed = unchecked_decision(p, "openai-api", "pilot", "checker_error", "block")
    assert (failed.action, failed.mode, failed.effective) == ("block", "monitor", "log")
    assert unchecked_decision(p, "openai-api", None, "oversize", "block").effective == "block"


def test_effective_follows_a_replaced_action() -> None:
    decision = decide(policy("mode: coach\n"), "openai-api", None, [])
    assert decision.effective == "allow"
    stricter: Decision = dataclasses.replace(decision, action="block")  # e.g. unscanned files
    assert stricter.effective == "warn"


def test_examples_expect_the_policy_action_in_every_mode() -> None:
    """`leitplanke policy test` compares `expect` with the policy's action, so examples
    written for enforcement stay valid through monitor and coach."""
    p = policy("mode: monitor\nexamples:\n  - {text: x, tool: chatgpt, expect: block}\n")
    decision = decide(p, "openai-api", None, ["personal"])
    assert decision.action == p.examples[0].expect


# ---- validation ------------------------------------------------------------------


def test_invalid_modes_are_located_with_a_suggestion() -> None:
    with pytest.raises(PolicyError) as caught:
        parse_policy(BASE + "mode: coaching\n", "p.yaml")
    assert str(caught.value.problems[0]) == (
        "p.yaml:12:1: mode: Input should be 'monitor', 'coach' or 'enforce' — did you mean 'coach'?"
    )
    with pytest.raises(PolicyError) as caught:
        parse_policy(BASE + "groups:\n  hr:\n    users: [a]\n    mode: enforced\n", "p.yaml")
    assert str(caught.value.problems[0]).startswith(
        "p.yaml:15:5: groups.hr.mode: Input should be 'monitor', 'coach' or 'enforce'"
    )
    assert str(caught.value.problems[0]).endswith("did you mean 'enforce'?")
    with pytest.raises(PolicyError) as caught:
        parse_policy(BASE + "rollout: monitor\n", "p.yaml")
    assert "unknown key 'rollout'" in str(caught.value)


def test_the_example_policies_still_enforce() -> None:
    for path in sorted(EXAMPLES.glob("*.yaml")):
        loaded = load_policy(path)
        assert loaded.policy.mode == "enforce", path.name
        assert all(g.mode is None for g in loaded.policy.groups.values()), path.name


# ---- the guideline ---------------------------------------------------------------


def section(markdown: str, heading: str) -> str:
    start = markdown.index(f"## {heading}\n")
    rest = markdown[start + len(heading) + 4 :]
    end = re.search(r"^(## |---$)", rest, re.MULTILINE)
    return rest[: end.start()] if end else rest


GROUPS = """\
groups:
  einkauf: {label: {de: Einkauf, en: Purchasing}, networks: [10.0.1.0/24], mode: enforce}
  vertrieb: {label: {de: Vertrieb, en: Sales}, users: [k.schmidt], mode: coach}
  hr: {label: {de: Personal, en: HR}, users: [a.b], mode: monitor}
  it: {users: [c.d]}
"""


def test_no_rollout_section_while_everything_is_enforced() -> None:
    for text in (policy(), policy("mode: enforce\ngroups: {hr: {users: [a], mode: enforce}}\n")):
        assert "Einführungsphase" not in render(text, "md", "de")
        assert "Introduction phase" not in render(text, "html", "en")


def test_policy_wide_monitor_with_department_exceptions() -> None:
    p = policy("mode: monitor\n" + GROUPS)
    de = section(render(p, "md", "de"), "Einführungsphase")
    assert "Beobachtungsmodus" in de and "nicht angehalten" in de
    assert "Abweichend davon gilt für:" in de
    # only the departments whose phase differs from the policy-wide one
    assert "| **Einkauf** | Durchsetzung: die Richtlinie gilt wie oben beschrieben |" in de
    assert "| **Vertrieb** | Hinweis:" in de
    assert "Personal" not in de and "| **it**" not in de
    en = section(render(p, "md", "en"), "Introduction phase")
    assert "monitoring mode" in en and "| **Purchasing** | Enforcement:" in en
    assert "| **Sales** | Coaching:" in en


def test_policy_wide_coach_and_enforce_with_a_monitored_pilot() -> None:
    coach = section(render(policy("mode: coach\n"), "md", "de"), "Einführungsphase")
    assert "Hinweismodus" in coach and "Begründung" in coach and "|" not in coach
    p = policy("groups: {pilot: {label: {de: Pilotabteilung}, users: [x], mode: monitor}}\n")
    text = section(render(p, "md", "de"), "Einführungsphase")
    assert text.strip().startswith("Für diese Abteilungen gilt noch eine Einführungsphase:")
    assert "| **Pilotabteilung** | Beobachtung: Verstöße werden nur protokolliert" in text
    html = render(p, "html", "en")
    assert '<section class="rollout">' in html and "Monitoring: violations are only logged" in html


@pytest.mark.parametrize("lang", ["de", "en"])
def test_rollout_page_still_prints_on_one_a4_page(lang: str, tmp_path: Path) -> None:
    text = (EXAMPLES / "muster-gmbh.de.yaml").read_text("utf-8")
    text = text.replace("\nmode: enforce\n", "\nmode: coach\n")
    text = text.replace(
        "    networks: [10.20.30.0/24]\n", "    networks: [10.20.30.0/24]\n    mode: monitor\n"
    )
    loaded = parse_policy(text, "muster-rollout.yaml")
    assert (loaded.policy.mode, loaded.policy.groups["hr"].mode) == ("coach", "monitor")
    html = render(loaded.policy, "html", "de" if lang == "de" else "en", loaded.version_id)
    pdf = pypdf.PdfReader(print_to_pdf(html, tmp_path))
    assert len(pdf.pages) == 1
    assert loaded.version_id in pdf.pages[0].extract_text()
