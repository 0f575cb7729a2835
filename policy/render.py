"""The policy as the one-page employee guideline ("KI-Richtlinie").

The YAML the gateway enforces is the page employees read. `render()` turns a
`Policy` into a self-contained HTML page (one A4 sheet when printed) or GitHub-
flavoured Markdown, in German or English. This module works out *what* the page
says (which tools, which data never goes anywhere, the exceptions, the rollout
phase); the templates in `policy/templates/` say how it looks. Every fixed word is
in rules/guideline_texts.yaml.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any, Literal

import jinja2

from policy.decide import allowed_classes
from policy.entities import entity_labels
from policy.model import DEFAULT_TOOL_ACTION, Action, Lang, Mode, Policy, ToolStatus
from policy.templating import template_environment
from rules import rules_yaml

Format = Literal["html", "md"]

# Every fixed word on the page, German first: rules/guideline_texts.yaml.
_TEXTS: dict[str, Any] = rules_yaml("guideline_texts.yaml")
WORDS: dict[str, dict[str, str]] = _TEXTS["words"]
STATUS_WORDS: dict[ToolStatus, dict[str, str]] = _TEXTS["status"]
ACTION_WORDS: dict[Action, dict[str, str]] = _TEXTS["actions"]
# What `unlisted_ai_tools` means for the employee.
UNLISTED_WORDS: dict[Action, dict[str, str]] = _TEXTS["unlisted"]
# A department's rollout mode (groups.<id>.mode) in the introduction-phase table.
MODE_WORDS: dict[Mode, dict[str, str]] = _TEXTS["modes"]
# What happens to files that could not be checked completely, and to images.
UNREADABLE_WORDS: dict[str, dict[str, str]] = _TEXTS["unreadable"]
UNSCANNED_WORDS: dict[str, dict[str, str]] = _TEXTS["unscanned"]

STATUS_ORDER: dict[ToolStatus, int] = {"approved": 0, "tolerated": 1, "unapproved": 2}

_EMAIL = re.compile(r"(?:mailto:)?([A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,})")
_URL = re.compile(r"https?://[^\s<>\"'`]+")


@dataclass(frozen=True)
class Link:
    text: str
    href: str | None  # None: plain text, not a link


@dataclass(frozen=True)
class ToolRow:
    name: str
    status: ToolStatus
    status_text: str
    allowed: str
    overrides: tuple[str, ...]  # "Personal data: warning" where this tool differs
    note: str


@dataclass(frozen=True)
class NeverRow:
    label: str
    meaning: str
    action: Action
    action_text: str
    exceptions: tuple[str, ...]  # "Human resources (ChatGPT Enterprise)"


@dataclass(frozen=True)
class GroupRow:
    group: str
    tool: str
    extra: str
    overrides: tuple[str, ...]


@dataclass(frozen=True)
class ModeRow:
    group: str
    mode: Mode
    mode_text: str


@dataclass(frozen=True)
class Rollout:
    """The introduction phase: the policy-wide mode and the departments that differ.
    Not shown when everyone is in "enforce"."""

    mode: Mode
    text: str  # what the policy-wide mode means ("" for enforce)
    groups_intro: str
    groups: tuple[ModeRow, ...]


@dataclass(frozen=True)
class Files:
    """What happens to attachments the gateway cannot check completely, and to images."""

    unreadable: str
    unreadable_action: str  # the setting: as_data_classes, allow, log, block
    unscanned: str
    unscanned_action: Action


@dataclass(frozen=True)
class Page:
    lang: Lang
    title: str
    tools: tuple[ToolRow, ...]
    never: tuple[NeverRow, ...]
    groups: tuple[GroupRow, ...]
    unlisted: str
    unlisted_action: Action
    request: Link
    contact: Link
    stores: str
    version: str
    rollout: Rollout | None = None  # None: every group enforces the policy as written
    files: Files | None = None


def render(
    policy: Policy,
    fmt: Format,
    lang: Lang = "de",
    version_id: str | None = None,
) -> str:
    """The employee guideline for `policy` as HTML or Markdown, in German or English.

    `version_id` (e.g. `LoadedPolicy.version_id`) is printed in the footer; without it
    the policy's own `version` is.
    """
    if fmt not in ("html", "md"):
        raise ValueError(f"unknown format {fmt!r} (html or md)")
    if lang not in ("de", "en"):
        raise ValueError(f"unknown language {lang!r} (de or en)")
    page = build_page(policy, lang, version_id)
    words = {key: text[lang] for key, text in WORDS.items()}
    template = _environment().get_template(f"guideline.{fmt}.j2")
    return template.render(page=page, t=words)


def build_page(policy: Policy, lang: Lang, version_id: str | None = None) -> Page:
    """What the page says, in `lang`, independent of the output format."""

    def w(key: str, **values: object) -> str:
        return WORDS[key][lang].format(**values)

    return Page(
        lang=lang,
        title=w("title", organization=policy.organization),
        tools=_tool_rows(policy, lang),
        never=_never_rows(policy, lang),
        groups=_group_rows(policy, lang),
        unlisted=UNLISTED_WORDS[policy.unlisted_ai_tools][lang],
        unlisted_action=policy.unlisted_ai_tools,
        request=link(policy.how_to_request),
        contact=link(policy.contact),
        stores=_stores(policy, lang),
        version=w("version", version=version_id or policy.version),
        rollout=_rollout(policy, lang),
        files=_files(policy, lang),
    )


def _files(policy: Policy, lang: Lang) -> Files:
    # A file that is never more leniently treated than an image (policy/decide.py): the
    # page says "not sent" when unscanned_files blocks, whatever unreadable_files says.
    unreadable = "block" if policy.unscanned_files == "block" else policy.unreadable_files
    return Files(
        unreadable=UNREADABLE_WORDS[unreadable][lang],
        unreadable_action=unreadable,
        unscanned=UNSCANNED_WORDS[policy.unscanned_files][lang],
        unscanned_action=policy.unscanned_files,
    )


def link(target: str) -> Link:
    """A URL becomes a link, an e-mail address a mailto: link, anything else plain text."""
    target = target.strip()
    if _URL.fullmatch(target):
        return Link(target, target)
    email = _EMAIL.fullmatch(target)
    if email:
        return Link(email.group(1), f"mailto:{email.group(1)}")
    return Link(target, None)


def _label(policy: Policy, name: str, lang: str) -> str:
    return policy.data_classes[name].name_in(name, lang)


def _labels(policy: Policy, names: Collection[str], lang: str) -> str:
    """Labels of `names`, in the policy's order of data classes."""
    return ", ".join(_label(policy, name, lang) for name in policy.data_classes if name in names)


def _overrides(
    policy: Policy, rules: dict[str, Action], allowed: Collection[str], lang: str
) -> tuple[str, ...]:
    """`class: action` for each rule that differs from the policy-wide on_violation."""
    return tuple(
        f"{_label(policy, name, lang)}: {ACTION_WORDS[rules[name]][lang]}"
        for name in policy.data_classes
        if name in rules
        and name not in allowed
        and rules[name] != policy.on_violation.get(name, "block")
    )


def _tool_rows(policy: Policy, lang: Lang) -> tuple[ToolRow, ...]:
    ordered = sorted(policy.tools.items(), key=lambda item: STATUS_ORDER[item[1].status])
    rows = []
    for tool_id, tool in ordered:
        status_text = STATUS_WORDS[tool.status][lang]
        use = tool.use_action()
        overrides: tuple[str, ...] = ()
        if use != DEFAULT_TOOL_ACTION[tool.status]:
            status_text = f"{status_text} · {ACTION_WORDS[use][lang]}"
        if use == "block":
            allowed = "—"
        else:
            allowed = _labels(policy, tool.allowed, lang) or WORDS["no_sensitive_data"][lang]
            overrides = _overrides(policy, tool.on_violation, tool.allowed, lang)
        rows.append(
            ToolRow(
                name=tool.display_name(tool_id),
                status=tool.status,
                status_text=status_text,
                allowed=allowed,
                overrides=overrides,
                note=tool.note.text(lang) if tool.note else "",
            )
        )
    return tuple(rows)


def _never_rows(policy: Policy, lang: Lang) -> tuple[NeverRow, ...]:
    usable = [tool_id for tool_id, tool in policy.tools.items() if tool.is_alternative()]
    somewhere = {name for tool_id in usable for name in policy.tools[tool_id].allowed}
    rows = []
    for name, data_class in policy.data_classes.items():
        if name in somewhere:
            continue
        exceptions = tuple(
            f"{_group_label(policy, group_id, lang)} ({_tool_name(policy, tool_id)})"
            for group_id in policy.groups
            for tool_id in usable
            if name in allowed_classes(policy, tool_id, group_id)
        )
        if data_class.description:
            meaning = data_class.description.text(lang)
        else:
            meaning = _entity_names(data_class.entities, lang)
        action = policy.on_violation.get(name, "block")
        rows.append(
            NeverRow(
                label=_label(policy, name, lang),
                meaning=meaning,
                action=action,
                action_text=ACTION_WORDS[action][lang],
                exceptions=exceptions,
            )
        )
    return tuple(rows)


def _tool_name(policy: Policy, tool_id: str) -> str:
    return policy.tools[tool_id].display_name(tool_id)


def _group_label(policy: Policy, group_id: str, lang: str) -> str:
    group = policy.groups[group_id]
    return group.label.text(lang) if group.label else group_id


def _group_rows(policy: Policy, lang: Lang) -> tuple[GroupRow, ...]:
    rows = []
    for group_id, group in policy.groups.items():
        for tool_id, override in group.tools.items():
            tool = policy.tools[tool_id]
            # Group exceptions add to what the tool allows everyone (see decide()).
            extra = [name for name in override.allowed if name not in tool.allowed]
            rules = {**tool.on_violation, **override.on_violation}
            rows.append(
                GroupRow(
                    group=_group_label(policy, group_id, lang),
                    tool=tool.display_name(tool_id),
                    extra=_labels(policy, extra, lang) or "—",
                    overrides=_overrides(policy, rules, override.allowed, lang),
                )
            )
    return tuple(rows)


def _rollout(policy: Policy, lang: Lang) -> Rollout | None:
    """Which rollout phase the page announces (policy `mode`, `groups.<id>.mode`)."""
    rows = tuple(
        ModeRow(_group_label(policy, group_id, lang), mode, MODE_WORDS[mode][lang])
        for group_id in policy.groups
        if (mode := policy.mode_of(group_id)) != policy.mode
    )
    if policy.mode == "enforce" and not rows:
        return None
    text = "" if policy.mode == "enforce" else WORDS[f"rollout_{policy.mode}"][lang]
    intro = "rollout_groups_enforce" if policy.mode == "enforce" else "rollout_groups_other"
    return Rollout(policy.mode, text, WORDS[intro][lang], rows)


def _stores(policy: Policy, lang: Lang) -> str:
    items = [WORDS["store_tool"][lang], WORDS["store_types"][lang]]
    if policy.privacy.excerpt == "masked":
        items.append(WORDS["store_excerpt"][lang])
    if policy.privacy.pseudonymize_users:
        items.append(WORDS["store_pseudonym"][lang])
    else:
        items.append(WORDS["store_user"][lang])
    listed = f"{', '.join(items[:-1])} {WORDS['and'][lang]} {items[-1]}"
    return " ".join(
        (
            WORDS["store_checks"][lang],
            WORDS["store_keeps"][lang].format(items=listed),
            WORDS["store_retention"][lang].format(days=policy.privacy.retention_days),
        )
    )


def _entity_names(entities: tuple[str, ...], lang: str) -> str:
    """Without a description, name the detected kinds ("names of people, e-mail addresses")."""
    names = entity_labels()
    text = ", ".join(names[e][lang] for e in entities if e in names and lang in names[e])
    return text[:1].upper() + text[1:]


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|#!&~])")


def markdown_escape(value: object) -> str:
    """Text that GitHub-flavoured Markdown shows literally, also inside a table cell."""
    text = " ".join(str(value).split())
    return _MD_SPECIAL.sub(r"\\\1", text)


def _environment() -> jinja2.Environment:
    return template_environment("policy", {"md": markdown_escape})
