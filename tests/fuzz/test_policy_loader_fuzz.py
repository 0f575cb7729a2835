"""The policy loader on bad YAML: a LoadedPolicy, or a PolicyError whose every problem
names file:line:column within the file — never another exception, never a hang."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import pytest
import yaml
from hypothesis import example, given
from hypothesis import strategies as st

from policy.loader import LoadedPolicy, PolicyError, load_policy, parse_policy
from tests.fuzz.support import budget, mutated_bytes, tick

EXAMPLES = Path(__file__).parents[2] / "policy" / "examples"
POLICIES = {path.name: path.read_text("utf-8") for path in sorted(EXAMPLES.glob("*.yaml"))}
SOURCE = "p.yaml"
_BREAK = re.compile(r"\r\n|[\r\n\x85\u2028\u2029]")  # YAML's line breaks


def check_policy(text: str) -> LoadedPolicy | PolicyError:
    try:
        loaded = parse_policy(text, SOURCE)
    except PolicyError as exc:
        assert exc.problems
        last_line = len(_BREAK.split(text)) + 1  # "end of stream" may stand after the end
        for problem in exc.problems:
            assert problem.file == SOURCE and problem.message
            assert isinstance(problem.line, int) and 1 <= problem.line <= last_line, problem
            assert isinstance(problem.column, int) and problem.column >= 1, problem
            assert str(problem).startswith(f"{SOURCE}:{problem.line}:{problem.column}: ")
        return exc
    assert isinstance(loaded, LoadedPolicy) and loaded.source == SOURCE
    return loaded


# --- random YAML documents ---------------------------------------------------------------

POLICY_KEYS = (
    "version",
    "organization",
    "contact",
    "approval_request",
    "language",
    "data_classes",
    "tools",
    "on_violation",
    "unlisted_ai_tools",
    "groups",
    "privacy",
    "messages",
    "fail_mode",
    "max_body_bytes",
    "oversize_action",
    "unscanned_files",
    "examples",
    "personal",
    "secrets",
    "label",
    "description",
    "entities",
    "terms",
    "patterns",
    "min_score",
    "regex",
    "validator",
    "score",
    "name",
    "services",
    "status",
    "allowed",
    "action",
    "tenant",
    "note",
    "users",
    "networks",
    "pseudonymize_users",
    "retention_days",
    "excerpt",
    "text",
    "tool",
    "service",
    "group",
    "expect",
    "de",
    "en",
    "block",
    "chatgpt",
)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.text(max_size=20),
    st.sampled_from(
        [
            "block",
            "warn",
            "redact",
            "log",
            "allow",
            "PERSON",
            "IBAN_CODE",
            "de",
            "closed",
            "[a-z",
            "(?P<x",
            "10.0.0.0/8",
            "luhn",
            "*",
            "~",
            "1e400",
        ]
    ),
)
YAML_VALUES = st.recursive(
    SCALARS,
    lambda kids: st.one_of(
        st.lists(kids, max_size=4),
        st.dictionaries(
            st.one_of(st.sampled_from(POLICY_KEYS), st.text(max_size=8)), kids, max_size=5
        ),
    ),
    max_leaves=25,
)
HEADER = {
    "version": 1,
    "organization": "Muster GmbH",
    "contact": "dsb@muster.example",
    "data_classes": {"personal": {"entities": ["PERSON"]}},
}


@budget(3)
@given(
    document=st.dictionaries(st.sampled_from(POLICY_KEYS), YAML_VALUES, max_size=8),
    with_header=st.booleans(),
    flow=st.sampled_from([None, True, False]),
)
def test_random_yaml_documents(
    document: dict[str, object], with_header: bool, flow: bool | None
) -> None:
    tick()
    if with_header:
        document = {**HEADER, **document}
    check_policy(yaml.safe_dump(document, default_flow_style=flow, allow_unicode=True))


@budget(2)
@given(text=st.text(max_size=300))
@example(text="a\x00b: 1")  # was a yaml.reader.ReaderError
@example(text="\x07")
@example(text="version: 1\n\x85x: 1")
def test_random_text(text: str) -> None:
    tick()
    check_policy(text)


@budget(1)
@given(raw=st.binary(max_size=300))
def test_random_file_bytes(raw: bytes) -> None:
    """load_policy on a file of any bytes (invalid UTF-8 included)."""
    tick()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / SOURCE
        path.write_bytes(raw)
        try:
            load_policy(path)
        except PolicyError as exc:
            assert all(p.line >= 1 and p.column >= 1 for p in exc.problems)


# --- mutated example policies --------------------------------------------------------------


@st.composite
def mutated_policy(draw: st.DrawFn) -> str:
    lines = POLICIES[draw(st.sampled_from(sorted(POLICIES)))].splitlines()
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, max(len(lines) - 1, 0)))
        how = draw(
            st.sampled_from(
                [
                    "delete",
                    "duplicate",
                    "swap",
                    "indent",
                    "dedent",
                    "value",
                    "insert",
                    "char",
                    "tab",
                ]
            )
        )
        if not lines:
            lines = [""]
        line = lines[at]
        if how == "delete":
            del lines[at]
        elif how == "duplicate":
            lines.insert(at, line)
        elif how == "swap" and at + 1 < len(lines):
            lines[at], lines[at + 1] = lines[at + 1], line
        elif how == "indent":
            lines[at] = " " * draw(st.integers(1, 6)) + line
        elif how == "dedent":
            lines[at] = line.lstrip() if draw(st.booleans()) else line[1:]
        elif how == "value" and ":" in line:  # a type swap: the value becomes anything
            key = line.split(":", 1)[0]
            value = draw(
                st.sampled_from(
                    [
                        "[]",
                        "{}",
                        "7",
                        "-1",
                        "null",
                        "true",
                        "[a, [b]]",
                        "{x: 1}",
                        "'",
                        '"',
                        "&a x",
                        "*a",
                        "!!python/none",
                        "|",
                        ">",
                        "- x",
                        "0x10",
                        "1e999",
                    ]
                )
            )
            lines[at] = f"{key}: {value}"
        elif how == "insert":
            lines.insert(at, draw(st.text(max_size=30)))
        elif how == "char":
            column = draw(st.integers(0, len(line)))
            char = draw(
                st.sampled_from(
                    [
                        ":",
                        "#",
                        "-",
                        "{",
                        "}",
                        "[",
                        "]",
                        "'",
                        '"',
                        "&",
                        "*",
                        "!",
                        "|",
                        ">",
                        "%",
                        "@",
                        "`",
                        "\t",
                        "\x00",
                        "\ufeff",
                    ]
                )
            )
            lines[at] = line[:column] + char + line[column:]
        elif how == "tab":
            lines[at] = line.replace("  ", "\t", 1)
    return "\n".join(lines) + "\n"


@budget(4)
@given(text=mutated_policy())
def test_mutated_example_policies(text: str) -> None:
    """The shipped policies with deleted, duplicated, swapped lines, damaged indentation,
    values of the wrong type, stray characters."""
    tick()
    check_policy(text)


@budget(1)
@given(name=st.sampled_from(sorted(POLICIES)), data=st.data())
def test_byte_damaged_example_policies(name: str, data: st.DataObject) -> None:
    tick()
    raw = data.draw(mutated_bytes(POLICIES[name].encode()))
    check_policy(raw.decode("utf-8", "replace"))


def test_example_policies_load() -> None:
    for text in POLICIES.values():
        tick()
        assert isinstance(check_policy(text), LoadedPolicy)


# --- hostile YAML: aliases, tags, nesting -----------------------------------------------------


def alias_bomb(depth: int, width: int, key: str) -> str:
    """ "Billion laughs": each anchor a list of `width` aliases of the one before."""
    lines = ['a0: &a0 ["lol"]']
    for level in range(1, depth + 1):
        lines.append(f"a{level}: &a{level} [" + ", ".join([f"*a{level - 1}"] * width) + "]")
    anchors = "\n".join(f"  {line}" for line in lines)
    return f"x-anchors:\n{anchors}\n{key} *a{depth}\n"


BOMB_PLACES = (
    "bomb:",
    "examples:",
    "tools:",
    "organization:",
    "data_classes:\n  personal:\n    entities:",
    "groups:\n  g:\n    users:",
    "messages:\n  block:\n    de:",
)


@budget(0.5)
@given(depth=st.integers(1, 12), width=st.integers(2, 12), key=st.sampled_from(BOMB_PLACES))
@example(depth=9, width=9, key="bomb:")  # 9^9 "lol"s: was exponential in the mark walk
def test_alias_bombs_are_bounded(depth: int, width: int, key: str) -> None:
    """Regression (fuzz): the file:line walk followed every alias, exponential in the
    nesting of aliases; each node is now walked once. (No timing assertion: a regression
    hangs the test until pytest-timeout ends it.)"""
    tick()
    text = "version: 1\norganization: O\ncontact: c\ndata_classes: {}\n" + alias_bomb(
        depth, width, key
    )
    check_policy(text)


def test_anchors_and_aliases_still_work() -> None:
    tick()
    text = (
        "version: 1\norganization: O\ncontact: c\n"
        "data_classes:\n  personal: {entities: &people [PERSON, EMAIL_ADDRESS]}\n"
        "  special: {entities: [HEALTH_DATA], terms: *people}\n"
    )
    loaded = check_policy(text)
    assert isinstance(loaded, LoadedPolicy) and loaded.policy.data_classes["special"].terms == (
        "PERSON",
        "EMAIL_ADDRESS",
    )


PYTHON_TAGS = (
    "!!python/object:os.system {}",
    "!!python/object/apply:os.system ['echo pwned']",
    "!!python/object/new:subprocess.Popen [['true']]",
    "!!python/name:builtins.exec",
    "!!python/module:os",
    "!!python/tuple [1, 2]",
    "!<tag:yaml.org,2002:python/object/apply:os.system> ['true']",
)


@pytest.mark.parametrize("tag", PYTHON_TAGS)
@pytest.mark.parametrize("where", ["organization: {}", "{}", "tools:\n  t: {}"])
def test_python_tags_are_refused(tag: str, where: str) -> None:
    """Safe loading: python/* tags are a YAML error, never constructed."""
    tick()
    result = check_policy(f"version: 1\ncontact: c\n{where.format(tag)}\n")
    assert isinstance(result, PolicyError)


@budget(0.05)  # up to 2 s a case: PyYAML's scanner is quadratic in flow nesting
@given(
    depth=st.sampled_from([99, 100, 101, 150, 300, 999, 1000, 5000, 50_000]),
    shape=st.sampled_from(["[", "{a: ", "-", "a:"]),
    closed=st.booleans(),
)
@example(depth=5000, shape="{a: ", closed=True)  # was a RecursionError
def test_deep_nesting(depth: int, shape: str, closed: bool) -> None:
    """Regression (fuzz): nesting deeper than PyYAML's recursive composer raised
    RecursionError; it is now a problem located where the nesting passes 100 levels."""
    tick()
    if shape in ("[", "{a: "):
        closer = "]" if shape == "[" else "}"
        text = "version: 1\nx: " + shape * depth + "1" + (closer * depth if closed else "")
    else:  # block style: indentation grows with depth, so at most 600 levels
        depth = min(depth, 600)
        step = "-" if shape == "-" else "a:"
        text = "version: 1\nx:\n" + "".join(" " * i + step + "\n" for i in range(depth))
    result = check_policy(text)
    if depth >= 5000:  # flow style
        problems = [str(p) for p in result.problems] if isinstance(result, PolicyError) else []
        assert any("nested too deeply" in p for p in problems), problems
