"""Employee-facing texts (rules/messages.yaml), German first, chosen by Accept-Language."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from functools import cache
from typing import Any, Protocol

from extract.file_text.outcome import UNREADABLE_REASONS
from policy.decide import Checked, Decision
from policy.entities import entity_labels
from policy.model import Policy
from rules import rules_yaml

LANGUAGES = ("de", "en")


@cache
def _texts() -> dict[str, Any]:
    data: dict[str, Any] = rules_yaml("messages.yaml")
    return data


def pick_language(accept_language: str | None, default: str = "de") -> str:
    """Best of de/en by the header's q-values; `default` when it names neither."""
    best, best_q = default, -1.0
    for item in (accept_language or "").split(","):
        tag, _, params = item.strip().partition(";")
        primary = tag.strip().lower().split("-")[0]
        q = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if primary in LANGUAGES and q > best_q and q > 0:
            best, best_q = primary, q
    return best


def _t(key: str, lang: str, policy: Policy | None = None) -> str:
    """A text in `lang`: the policy's own wording if it has one, else rules/messages.yaml."""
    if policy is not None and key in policy.messages:
        return policy.messages[key].text(lang)
    entry = _texts()[key]
    return str(entry.get(lang) or entry["de"])


def _join(items: list[str], lang: str) -> str:
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {_t('and', lang)} {items[-1]}"


def describe_found(entity_types: Iterable[str], lang: str) -> str:
    """ "IBAN (Bankverbindung) (1×) und E-Mail-Adressen (2×)" — kinds and counts, never values."""
    counts = Counter(entity_types)
    labels = entity_labels()
    parts = [
        f"{labels.get(entity, {}).get(lang, entity)} ({n}×)" for entity, n in counts.most_common()
    ]
    return _join(parts, lang)


def request_target(policy: Policy, approval_link: str | None) -> str:
    """Where employees ask for a tool: the gateway's approval page when there is one
    (the request names the service, the DPO answers it, the employee sees the answer
    there), else the policy's approval_request, else the contact."""
    return approval_link or policy.approval_request or policy.contact


def request_info(policy: Policy, approval_link: str | None, lang: str) -> str:
    """The policy's own approval address (an intranet page) as a second link beside
    the approval page; empty when it is the first link already or there is none."""
    if not approval_link or not policy.approval_request:
        return ""
    return _t("request_info", lang, None).format(url=policy.approval_request)


def _common(
    policy: Policy, service_name: str, approval_link: str | None = None, lang: str = "de"
) -> dict[str, str]:
    return {
        "service": service_name,
        "organization": policy.organization,
        "contact": policy.contact,
        "request": request_target(policy, approval_link),
        "request_info": request_info(policy, approval_link, lang),
    }


def classes_and_alternative(
    policy: Policy, data_classes: Iterable[str], alternatives: Iterable[str], lang: str
) -> dict[str, str]:
    """{classes}: the data classes' labels joined; {alternative}: the approved tools' sentence."""
    classes = [
        policy.data_classes[name].name_in(name, lang) if name in policy.data_classes else name
        for name in data_classes
    ]
    tools = list(alternatives)
    alternative = (
        _t("alternative", lang, policy).format(tools=", ".join(tools))
        if tools
        else _t("no_alternative", lang, policy)
    )
    return {"classes": _join(classes, lang), "alternative": alternative}


def _classes_and_alternative(policy: Policy, decision: Decision, lang: str) -> dict[str, str]:
    return classes_and_alternative(policy, decision.data_classes, decision.alternatives, lang)


def file_reason(decision: Decision) -> str | None:
    """Why an attached file stopped the prompt (a key of file_reasons in
    rules/messages.yaml), when a file did and neither data found nor the tool itself
    did: the most specific unreadable reason, else "unscanned"; None otherwise."""
    if decision.data_classes:
        return None
    whys = set()
    for reason in decision.reasons:
        head, _, rest = reason.partition(":")
        action = rest.rsplit(":", 1)[-1]
        if (head.startswith("tool_") or head == "unlisted_tool") and action in ("warn", "block"):
            return None  # using the tool at all is what stops it: that message
        if head == "unreadable_file" and action == decision.action:
            whys.add(rest.split(":", 1)[0])
        elif head == "unscanned_files" and action == decision.action:
            whys.add("unscanned")
    return next((why for why in (*UNREADABLE_REASONS, "unscanned") if why in whys), None)


def _file_why(why: str, lang: str) -> str:
    entry = _texts()["file_reasons"].get(why) or _texts()["file_reasons"]["corrupt"]
    return str(entry.get(lang) or entry["de"])


def block_message(
    policy: Policy,
    decision: Decision,
    entity_types: Iterable[str],
    service_name: str,
    lang: str,
    approval_link: str | None = None,
) -> str:
    common = _common(policy, service_name, approval_link, lang)
    why = file_reason(decision)
    if why is not None:
        return _t("unreadable_file", lang, policy).format(**common, why=_file_why(why, lang))
    if not decision.data_classes:
        key = "upload_unseen" if _only_unseen_upload(decision) else "unlisted_tool"
        return _t(key, lang, policy).format(**common)
    return _t("block", lang, policy).format(
        **common,
        found=describe_found(entity_types, lang),
        **_classes_and_alternative(policy, decision, lang),
    )


def _only_unseen_upload(decision: Decision) -> bool:
    """Blocked for an upload that bypasses the gateway, not for using the tool at all."""
    reasons = decision.reasons
    tool_blocked = any(
        r.startswith(("tool_", "unlisted_tool:")) and r.endswith(":block") for r in reasons
    )
    return not tool_blocked and any(r.startswith("unseen_upload:") for r in reasons)


def coach_message(
    policy: Policy,
    decision: Decision,
    entity_types: Iterable[str],
    service_name: str,
    lang: str,
    *,
    coach_link: str,
    minutes: int,
    approval_link: str | None = None,
) -> str:
    """Policy action "warn": what was found (kinds and counts) and the one-time link."""
    common = _common(policy, service_name, approval_link, lang)
    why = file_reason(decision)
    if why is not None:  # a file nobody could read, in the coaching rollout mode
        return _t("coach_unreadable_file", lang, policy).format(
            **common, why=_file_why(why, lang), coach_link=coach_link, minutes=minutes
        )
    if not decision.data_classes:  # "warn" for using the tool at all
        return _t("coach_tool", lang, policy).format(
            **common, coach_link=coach_link, minutes=minutes
        )
    return _t("coach", lang, policy).format(
        **common,
        found=describe_found(entity_types, lang),
        **_classes_and_alternative(policy, decision, lang),
        coach_link=coach_link,
        minutes=minutes,
    )


def checker_error_message(policy: Policy, service_name: str, lang: str) -> str:
    return _t("checker_error", lang, policy).format(**_common(policy, service_name, lang=lang))


def oversize_message(policy: Policy, service_name: str, size: int, lang: str) -> str:
    return _t("oversize", lang, policy).format(
        **_common(policy, service_name, lang=lang),
        size_mb=f"{size / 1_048_576:.1f}",
        limit_mb=f"{policy.max_body_bytes / 1_048_576:.1f}",
    )


class Stopped(Protocol):
    """What a stopped prompt's message needs (pipeline.evaluation.Evaluation has it)."""

    @property
    def policy(self) -> Policy: ...
    @property
    def decision(self) -> Decision: ...
    @property
    def checked(self) -> Checked: ...
    @property
    def entity_types(self) -> list[str]: ...
    @property
    def service_name(self) -> str: ...
    @property
    def size(self) -> int: ...


def decision_message(
    stopped: Stopped,
    lang: str,
    *,
    approval_link: str | None = None,
    coaching: tuple[str, int] | None = None,
) -> str:
    """The message for a stopped prompt: too large, not checkable, coached (`coaching`:
    the one-time link and its minutes) or blocked (also a "warn" without a portal)."""
    policy, decision, name = stopped.policy, stopped.decision, stopped.service_name
    if stopped.checked == "oversize":
        return oversize_message(policy, name, stopped.size, lang)
    if stopped.checked == "checker_error":
        return checker_error_message(policy, name, lang)
    types = stopped.entity_types
    if coaching is not None:
        link, minutes = coaching
        return coach_message(
            policy,
            decision,
            types,
            name,
            lang,
            coach_link=link,
            minutes=minutes,
            approval_link=approval_link,
        )
    return block_message(policy, decision, types, name, lang, approval_link)
