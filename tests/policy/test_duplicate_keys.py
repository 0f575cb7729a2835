"""A key written twice in one YAML mapping is an error with file:line:column in every
loader of the project (PyYAML alone keeps the last one silently). Policies have their
cases in broken/ (21–24); here: the loader itself, the gateway's config file, the
catalog and discovery rules, `policy check` and every YAML file the project ships."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from cli.main import cli
from cli.proxy_config import ConfigError, parse_config
from policy.catalog import CatalogError, load_catalog
from policy.loader import PolicyError, load_policy
from policy.unknown_ai import DiscoveryRulesError, load_discovery_rules
from rules.strict_yaml import DuplicateKeyError, load_yaml

ROOT = Path(__file__).parents[2]
DEFAULT_POLICY = ROOT / "policy" / "examples" / "muster-gmbh.de.yaml"


# text, line, column, message of the duplicate (None: loads)
LOADER_CASES: list[tuple[str, str, int, int, str | None]] = [
    ("top level", "a: 1\nb: 2\na: 3\n", 3, 1, "duplicate key 'a' (first at line 1)"),
    ("nested", "x:\n  y:\n    k: 1\n    k: 2\n", 4, 5, "duplicate key 'k' (first at line 3)"),
    ("flow", "x: {k: 1, k: 2}\n", 1, 11, "duplicate key 'k' (first at line 1, column 5)"),
    ("in a list item", "- {k: 1}\n- k: 1\n  k: 2\n", 3, 3, "duplicate key 'k' (first at line 2)"),
    ("same value", "k: 1\nk: 1\n", 2, 1, "duplicate key 'k' (first at line 1)"),
    # Equal once constructed: YAML 1.1 reads both as the number 10 / the boolean true.
    ("equal numbers", "10: a\n012: b\n", 2, 1, "duplicate key 10 (first at line 1)"),
    ("equal booleans", "yes: a\ntrue: b\n", 2, 1, "duplicate key True (first at line 1)"),
    ("quoted vs plain", "'k': 1\nk: 2\n", 2, 1, "duplicate key 'k' (first at line 1)"),
    ("different keys", "k: 1\nK: 2\n'1': 3\n1: 4\n", 0, 0, None),
    # Merge keys keep their meaning: the mapping's own keys override merged ones.
    ("merge override", "d: &d {k: 1, j: 2}\ne:\n  <<: *d\n  k: 3\n", 0, 0, None),
    ("merge list", "a: &a {k: 1}\nb: &b {j: 2}\nc: {<<: [*a, *b], k: 3}\n", 0, 0, None),
    ("merge twice", "a: &a {k: 1}\nb: &b {<<: *a, k: 2}\nc: {<<: *b}\nd: {<<: *b}\n", 0, 0, None),
    (
        "duplicate next to a merge",
        "d: &d {k: 1}\ne:\n  <<: *d\n  j: 1\n  j: 2\n",
        5,
        3,
        "duplicate key 'j' (first at line 4)",
    ),
]


@pytest.mark.parametrize(
    ("text", "line", "column", "message"),
    [case[1:] for case in LOADER_CASES],
    ids=[case[0] for case in LOADER_CASES],
)
def test_strict_loader(text: str, line: int, column: int, message: str | None) -> None:
    if message is None:
        load_yaml(text)
        return
    with pytest.raises(DuplicateKeyError) as caught:
        load_yaml(text)
    assert (caught.value.line, caught.value.column) == (line, column)
    expected = f"f.yaml:{line}:{column}: {message} — remove one of them"
    assert caught.value.located("f.yaml") == expected


def test_merge_keys_give_what_pyyaml_gives() -> None:
    text = "d: &d {k: 1, j: 2}\ne:\n  <<: *d\n  k: 3\n"
    assert load_yaml(text) == {"d": {"k": 1, "j": 2}, "e": {"k": 3, "j": 2}}


def test_a_shipped_policy_with_a_second_personal_line_is_refused(tmp_path: Path) -> None:
    """The case from issue 19: `personal: warn` after `personal: block`."""
    lines = DEFAULT_POLICY.read_text("utf-8").splitlines()
    at = lines.index("on_violation:")
    assert lines[at + 1] == "  personal: block"
    lines.insert(at + 2, "  personal: warn")
    policy = tmp_path / "policy.yaml"
    policy.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(PolicyError) as caught:
        load_policy(policy)
    assert [str(p) for p in caught.value.problems] == [
        f"{policy}:{at + 3}:3: duplicate key 'personal' (first at line {at + 2}) "
        "— remove one of them"
    ]


@pytest.mark.parametrize("command", ["check", "test", "render"])
def test_policy_commands_refuse_a_duplicate(tmp_path: Path, command: str) -> None:
    broken = ROOT / "tests" / "policy" / "broken" / "21-duplicate-class-in-on-violation.yaml"
    result = CliRunner().invoke(cli, ["policy", command, str(broken)])
    assert result.exit_code == 2
    assert f"{broken}:12:3: duplicate key 'personal' (first at line 10)" in result.output
    assert "Traceback" not in result.output


# ---- the gateway's config file ------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "listen_port: 8080\ndb: a.db\nlisten_port: 3128\n",
            "config.yaml:3:1: duplicate key 'listen_port' (first at line 1)",
        ),
        (
            "set:\n  leitplanke_fail_mode: closed\n  leitplanke_workers: 2\n"
            "  leitplanke_fail_mode: open\n",
            "config.yaml:4:3: duplicate key 'leitplanke_fail_mode' (first at line 2)",
        ),
        (
            "set: {leitplanke_workers: 2}\nset: {leitplanke_workers: 3}\n",
            "config.yaml:2:1: duplicate key 'set' (first at line 1)",
        ),
    ],
)
def test_config_file_refuses_duplicates(text: str, expected: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config(text, "config.yaml")
    assert [str(p) for p in caught.value.problems] == [f"{expected} — remove one of them"]


# ---- catalog and discovery rules ----------------------------------------------------


def test_catalog_file_refuses_a_duplicate_service(tmp_path: Path) -> None:
    text = (ROOT / "rules" / "ai_services.yaml").read_text("utf-8")
    entry = text.index("  claude:\n")
    copy = tmp_path / "catalog.yaml"
    copy.write_text(text + text[entry : text.index("\n  ", entry + 12) + 1], encoding="utf-8")
    line = text.count("\n") + 1
    with pytest.raises(CatalogError) as caught:
        load_catalog(copy)
    first = text[:entry].count("\n") + 1
    assert str(caught.value) == (
        f"{copy}:{line}:3: duplicate key 'claude' (first at line {first}) — remove one of them"
    )


def test_discovery_rules_refuse_a_duplicate_key(tmp_path: Path) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text("version: 1\nignore: []\nrules:\n  - name: a\n    name: b\n")
    with pytest.raises(DiscoveryRulesError) as caught:
        load_discovery_rules(path)
    assert str(caught.value) == (
        f"{path}:5:5: duplicate key 'name' (first at line 4) — remove one of them"
    )


def test_discovery_rules_syntax_error_is_one_located_line(tmp_path: Path) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text("version: 1\nrules: [\n")
    with pytest.raises(DiscoveryRulesError) as caught:
        load_discovery_rules(path)
    assert str(caught.value).startswith(f"{path}:3:1: not valid YAML: ")
    assert "\n" not in str(caught.value)


# ---- every YAML file the project ships ----------------------------------------------

SHIPPED = sorted(
    p
    for pattern in ("rules/*.yaml", "policy/examples/*.yaml", "review/*.yaml", "deploy/**/*.yaml")
    for p in ROOT.glob(pattern)
)


def test_there_are_shipped_yaml_files() -> None:
    assert len(SHIPPED) >= 15


@pytest.mark.parametrize("path", SHIPPED, ids=[str(p.relative_to(ROOT)) for p in SHIPPED])
def test_shipped_yaml_has_no_duplicate_keys(path: Path) -> None:
    load_yaml(path.read_text("utf-8"))
