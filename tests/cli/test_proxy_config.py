"""`leitplanke proxy`'s config file: parsing, file:line errors, precedence."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from click.testing import CliRunner
from mitmproxy import options
from mitmproxy.addons import default_addons

import cli.preflight
import cli.proxy
from cli.main import cli as leitplanke
from cli.proxy import RunSettings, _try_set
from cli.proxy_config import (
    ConfigError,
    ProxyConfig,
    check_cli_sets,
    check_options,
    find_config,
    load_config,
    parse_config,
    resolve,
    unread_env_vars,
)
from proxy_addon.leitplanke_addon import make_addons

DEFAULTS = {
    "policy": None,
    "db": "./leitplanke.db",
    "listen_host": "127.0.0.1",
    "listen_port": 8080,
    "confdir": None,
    "log_format": "auto",
}


def problems(text: str) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        parse_config(text, "config.yaml")
    return [str(p) for p in caught.value.problems]


# ---- parsing ----------------------------------------------------------------


def test_every_key_parses_and_relative_paths_follow_the_file() -> None:
    config = parse_config(
        "policy: policy.yaml\n"
        "db: /var/lib/leitplanke/leitplanke.db\n"
        "listen_host: 0.0.0.0\n"
        "listen_port: 3128\n"
        "confdir: ca\n"
        "log_format: json\n"
        "set:\n"
        "  leitplanke_workers: 2\n"
        "  leitplanke_discovery: false\n"
        "  map_remote: ['|a|b', '|c|d']\n",
        "/etc/leitplanke/config.yaml",
        base=Path("/etc/leitplanke"),
    )
    assert config.values == {
        "policy": "/etc/leitplanke/policy.yaml",
        "db": "/var/lib/leitplanke/leitplanke.db",
        "listen_host": "0.0.0.0",
        "listen_port": 3128,
        "confdir": "/etc/leitplanke/ca",
        "log_format": "json",
    }
    assert [(e.key, e.specs, e.where.line) for e in config.sets] == [
        ("leitplanke_workers", ("leitplanke_workers=2",), 8),
        ("leitplanke_discovery", ("leitplanke_discovery=false",), 9),
        ("map_remote", ("map_remote=|a|b", "map_remote=|c|d"), 10),
    ]
    assert config.lines["listen_port"] == 4


def test_empty_file_sets_nothing() -> None:
    config = parse_config("# only a comment\n", "config.yaml")
    assert config.values == {} and config.sets == ()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "listen_port: 8080\nlisten-host: 0.0.0.0\n",
            "config.yaml:2:1: unknown key 'listen-host' — did you mean 'listen_host'?",
        ),
        (
            "leitplanke_workers: 2\n",
            "config.yaml:1:1: unknown key 'leitplanke_workers' — options go under 'set:', "
            "e.g. 'set: {leitplanke_workers: …}'",
        ),
        ("color: red\n", "config.yaml:1:1: unknown key 'color' — allowed keys: confdir, db,"),
        (
            "db: x.db\nlisten_port: abc\n",
            "config.yaml:2:1: listen_port: Input should be a valid integer — "
            "write e.g. 'listen_port: 8080'",
        ),
        (
            "listen_port: '8080'\n",
            "config.yaml:1:1: listen_port: Input should be a valid integer",
        ),
        ("listen_port: 70000\n", "config.yaml:1:1: listen_port: Input should be less than"),
        ("policy: 3\n", "config.yaml:1:1: policy: Input should be a valid string"),
        (
            "log_format: jsn\n",
            "config.yaml:1:1: log_format: Input should be 'auto', 'text' or 'json'",
        ),
        (
            "set:\n  leitplanke_workers: {n: 2}\n",
            "config.yaml:2:3: set.leitplanke_workers: the value must be text, a number, "
            "true/false or a list of those — e.g. 'leitplanke_workers: 2'",
        ),
        ("set: [a, b]\n", "config.yaml:1:1: set: Input should be a valid dictionary"),
        ("- listen_port\n", "config.yaml:1:1: the config must be a YAML mapping"),
        ("listen_port: [\n", "config.yaml:2:1: YAML syntax error"),
    ],
)
def test_problems_name_file_line_and_fix(text: str, expected: str) -> None:
    found = problems(text)
    assert len(found) == 1, found
    assert found[0].startswith(expected), found


def test_all_problems_at_once() -> None:
    found = problems("listen_port: x\ncolour: 1\nset:\n  a: {b: 1}\n")
    assert [p.split(":")[1] for p in found] == ["1", "2", "4"]


def test_unreadable_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read config"):
        load_config(tmp_path / "missing.yaml")
    binary = tmp_path / "bin.yaml"
    binary.write_bytes(b"\xff\xfe")
    with pytest.raises(ConfigError, match="not UTF-8"):
        load_config(binary)


def test_find_config(tmp_path: Path) -> None:
    default = tmp_path / "config.yaml"
    assert find_config(None, default) is None  # absent: no config, no error
    default.write_text("listen_port: 1\n")
    assert find_config(None, default) == default
    assert find_config("/elsewhere.yaml", default) == Path("/elsewhere.yaml")


# ---- precedence -----------------------------------------------------------------


def test_file_fills_in_only_what_no_flag_or_env_gave() -> None:
    config = parse_config(
        "listen_port: 3128\ndb: file.db\nset: {leitplanke_workers: 2, flow_detail: 1}\n",
        "c.yaml",
    )
    given = {**DEFAULTS, "db": "flag.db"}
    settings = resolve(given, {"db"}, config, ("flow_detail=0",), {"db": "--db"})
    assert settings.values["listen_port"] == 3128  # file beats the default
    assert settings.values["db"] == "flag.db"  # flag (or env var) beats the file
    assert settings.values["listen_host"] == "127.0.0.1"  # default when nobody sets it
    # The file's set: first, the command line's --set replaces every entry of its key.
    assert settings.sets == ("leitplanke_workers=2", "flow_detail=0")
    assert [e.key for e in settings.file_sets] == ["leitplanke_workers"]
    assert settings.notes == (
        "c.yaml:2: 'db' is overridden by --db",
        "c.yaml:3: 'set: flow_detail' is overridden by --set flow_detail=…",
    )


def test_without_a_file_the_flags_pass_through() -> None:
    settings = resolve(DEFAULTS, set(), None, ("a=1",))
    assert settings.values == DEFAULTS and settings.sets == ("a=1",) and settings.notes == ()


def test_check_options_against_the_real_option_names() -> None:
    config = parse_config(
        "set:\n  leitplanke_wrokers: 2\n  leitplanke_workers: x\n  flow_detail: 0\n"
        "  no_such_thing: 1\n",
        "c.yaml",
    )

    def try_set(specs: tuple[str, ...]) -> str | None:
        return "not an integer: x" if specs == ("leitplanke_workers=x",) else None

    found = [
        str(p)
        for p in check_options(
            config.sets, ["leitplanke_workers", "flow_detail", "map_remote"], try_set
        )
    ]
    assert found == [
        "c.yaml:2:3: set: unknown option 'leitplanke_wrokers' — did you mean 'leitplanke_workers'?",
        "c.yaml:3:3: set: leitplanke_workers: not an integer: x — see the option's type in "
        "'mitmdump --options' and docs/service.md",
        "c.yaml:5:3: set: unknown option 'no_such_thing' — see 'mitmdump --options' and the "
        "leitplanke_* options in docs/service.md",
    ]


# ---- the command line's --set values and LEITPLANKE_* variables -------------------


@cache
def gateway_options() -> options.Options:
    """The options of mitmproxy, its default addons and the gateway's addons."""
    opts = options.Options()

    def declare(addon: Any) -> None:
        if callable(load := getattr(addon, "load", None)):
            load(SimpleNamespace(add_option=opts.add_option))
        for sub in getattr(addon, "addons", None) or ():
            declare(sub)

    for addon in [*default_addons(), *make_addons()]:
        declare(addon)
    return opts


@pytest.mark.parametrize(
    ("specs", "expected"),
    [
        (
            ("leitplanke_fial_mode=closed",),
            ["--set leitplanke_fial_mode: unknown option — did you mean leitplanke_fail_mode?"],
        ),
        (
            ("conection_strategy=lazy",),
            ["--set conection_strategy: unknown option — did you mean connection_strategy?"],
        ),
        (
            ("no_such_thing=1",),
            [
                "--set no_such_thing: unknown option — see 'mitmdump --options' and the "
                "leitplanke_* options in docs/service.md"
            ],
        ),
        (
            ("leitplanke_workers",),
            ["--set leitplanke_workers: needs a value — write --set leitplanke_workers=VALUE"],
        ),
        (
            ("leitplanke_workers=2", "leitplanke_workers"),
            ["--set leitplanke_workers: needs a value — write --set leitplanke_workers=VALUE"],
        ),
        (
            ("leitplanke_fail_mode",),
            ["--set leitplanke_fail_mode: needs a value — write --set leitplanke_fail_mode=VALUE"],
        ),
        (
            ("leitplanke_workers=x",),
            [
                "--set leitplanke_workers: Failed to parse option leitplanke_workers: not an "
                "integer: x — see the option's type in 'mitmdump --options' and docs/service.md"
            ],
        ),
        (
            ("leitplanke_workers=1", "leitplanke_workers=2"),
            ["--set leitplanke_workers: given 2 times — keep one"],
        ),
        (
            ("leitplanke_banner=maybe",),
            [
                "--set leitplanke_banner: Failed to parse option leitplanke_banner: "
                'boolean must be "true", "false", or have the value omitted (a synonym for '
                "\"true\"). — see the option's type in 'mitmdump --options' and docs/service.md"
            ],
        ),
        # Valid: a boolean without a value is true, a list option takes several values.
        (("leitplanke_pac_fallback_direct",), []),
        (("map_remote=|a|b", "map_remote=|c|d", "leitplanke_passthrough"), []),
        # A value is configure()'s to judge (tests/proxy_addon/test_option_values.py).
        (("leitplanke_fail_mode=closd", "leitplanke_workers=2"), []),
    ],
)
def test_cli_sets_are_checked_like_the_file(specs: tuple[str, ...], expected: list[str]) -> None:
    opts = gateway_options()
    assert check_cli_sets(specs, opts.keys(), _try_set(opts)) == expected


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        (
            {"LEITPLANKE_FAIL_MODE": "closed"},
            [
                "LEITPLANKE_FAIL_MODE is not read by 'leitplanke proxy' — use --set "
                "leitplanke_fail_mode=… or 'set: {leitplanke_fail_mode: …}' in the config file"
            ],
        ),
        (
            {"LEITPLANKE_WORKERS": "2", "LEITPLANKE_LANGUAGE": "en"},
            [
                "LEITPLANKE_LANGUAGE is not read by 'leitplanke proxy' — use --set "
                "leitplanke_language=… or 'set: {leitplanke_language: …}' in the config file",
                "LEITPLANKE_WORKERS is not read by 'leitplanke proxy' — use --set "
                "leitplanke_workers=… or 'set: {leitplanke_workers: …}' in the config file",
            ],
        ),
        # Read by the command (flags' variables), or not named like an option.
        ({"LEITPLANKE_POLICY": "p.yaml", "LEITPLANKE_DB": "f.db"}, []),
        ({"LEITPLANKE_REVIEW_SECRET": "s", "LEITPLANKE_CHROMIUM": "/usr/bin/chromium"}, []),
        ({"leitplanke_fail_mode": "closed"}, []),
    ],
)
def test_env_vars_named_like_options(environ: dict[str, str], expected: list[str]) -> None:
    read = ("LEITPLANKE_POLICY", "LEITPLANKE_DB", "LEITPLANKE_CONFIG")
    assert unread_env_vars(environ, read, gateway_options().keys()) == expected


def test_the_proxy_command_passes_its_variables_and_sets(captured: dict[str, Any]) -> None:
    result = CliRunner().invoke(
        leitplanke, ["proxy", "--config", "/dev/null", "--set", "leitplanke_workers=2"]
    )
    assert result.exit_code == 0, result.output
    settings = captured["settings"]
    assert settings.cli_sets == ("leitplanke_workers=2",)
    assert set(settings.env_read) == {
        "LEITPLANKE_CONFIG",
        "LEITPLANKE_POLICY",
        "LEITPLANKE_DB",
        "LEITPLANKE_LISTEN_HOST",
        "LEITPLANKE_LISTEN_PORT",
        "LEITPLANKE_CONFDIR",
        "LEITPLANKE_LOG_FORMAT",
        "LEITPLANKE_UPSTREAM_PROXY",
        "LEITPLANKE_UPSTREAM_AUTH_FILE",
    }


@pytest.mark.parametrize("port", ["0", "65536", "99999", "-1"])
def test_listen_port_out_of_range_is_refused_before_start(
    captured: dict[str, Any], port: str
) -> None:
    result = CliRunner().invoke(leitplanke, ["proxy", "--listen-port", port])
    assert result.exit_code == 2
    assert "Invalid value for '--listen-port'" in result.output
    assert "args" not in captured  # mitmproxy never started


# ---- through the command line ----------------------------------------------------


@pytest.fixture
def captured(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Run `leitplanke proxy` up to mitmproxy: capture the mitmdump arguments."""
    seen: dict[str, Any] = {}

    def fake_run(args: list[str], settings: RunSettings | None = None) -> None:
        seen["args"], seen["settings"] = args, settings

    monkeypatch.setattr(cli.proxy, "run_proxy", fake_run)
    # Nothing listens here: the address checks of a real start are not the subject.
    monkeypatch.setattr(cli.preflight, "check_listen", lambda host, port: None)
    for name in ("CONFIG", "POLICY", "DB", "LISTEN_HOST", "LISTEN_PORT", "CONFDIR", "LOG_FORMAT"):
        monkeypatch.delenv(f"LEITPLANKE_{name}", raising=False)
    return seen


def option(args: list[str], name: str) -> str:
    return args[args.index(name) + 1]


def set_values(args: list[str]) -> list[str]:
    return [args[i + 1] for i, a in enumerate(args) if a == "--set"]


def test_cli_precedence_flag_env_file_default(captured: dict[str, Any], tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text(
        "listen_port: 3128\nlisten_host: 10.1.1.1\ndb: file.db\nconfdir: ca\n"
        "log_format: json\nset:\n  leitplanke_workers: 2\n  map_remote: ['|a|b', '|c|d']\n"
    )
    env = {"LEITPLANKE_CONFIG": str(config), "LEITPLANKE_LISTEN_HOST": "10.2.2.2"}
    result = CliRunner().invoke(
        leitplanke, ["proxy", "--db", "flag.db", "--set", "leitplanke_workers=3"], env=env
    )
    assert result.exit_code == 0, result.output
    args, settings = captured["args"], captured["settings"]
    assert option(args, "--listen-port") == "3128"  # file
    assert option(args, "--listen-host") == "10.2.2.2"  # env var beats the file
    sets = set_values(args)
    assert "leitplanke_db=flag.db" in sets  # flag beats the file
    assert f"confdir={tmp_path / 'ca'}" in sets  # relative to the config file
    assert "leitplanke_workers=3" in sets and "leitplanke_workers=2" not in sets
    assert sets.count("map_remote=|a|b") == 1 and "map_remote=|c|d" in sets
    assert settings.log_format == "json"
    assert settings.notes[0] == f"leitplanke: config {config}"
    assert any("'db' is overridden by --db" in note for note in settings.notes)


def test_cli_defaults_without_a_config(captured: dict[str, Any], tmp_path: Path) -> None:
    result = CliRunner().invoke(leitplanke, ["proxy"], env={"HOME": str(tmp_path)})
    assert result.exit_code == 0, result.output
    args = captured["args"]
    assert option(args, "--listen-port") == "8080"
    assert option(args, "--listen-host") == "127.0.0.1"
    assert "leitplanke_db=./leitplanke.db" in set_values(args)
    assert captured["settings"].log_format == "auto"


def test_cli_env_var_beats_default(captured: dict[str, Any]) -> None:
    result = CliRunner().invoke(
        leitplanke,
        ["proxy", "--config", "/dev/null"],
        env={"LEITPLANKE_LISTEN_PORT": "3129", "LEITPLANKE_DB": "env.db"},
    )
    assert result.exit_code == 0, result.output
    assert option(captured["args"], "--listen-port") == "3129"
    assert "leitplanke_db=env.db" in set_values(captured["args"])


def test_cli_reports_config_errors_with_location(captured: dict[str, Any], tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text("listen_port: 8080\nlisten_prot: 1\n")
    result = CliRunner().invoke(leitplanke, ["proxy", "--config", str(config)])
    assert result.exit_code == 2
    assert f"{config}:2:1: unknown key 'listen_prot' — did you mean 'listen_port'?" in (
        result.output
    )
    assert "args" not in captured  # mitmproxy never started


def test_cli_missing_explicit_config_is_an_error(captured: dict[str, Any], tmp_path: Path) -> None:
    result = CliRunner().invoke(leitplanke, ["proxy", "--config", str(tmp_path / "nope.yaml")])
    assert result.exit_code == 2 and "cannot read config" in result.output


def test_cli_config_policy_is_checked_before_start(
    captured: dict[str, Any], tmp_path: Path
) -> None:
    config = tmp_path / "config.yaml"
    config.write_text("policy: missing-policy.yaml\n")
    result = CliRunner().invoke(leitplanke, ["proxy", "--config", str(config)])
    assert result.exit_code == 2 and "missing-policy.yaml" in result.output
    assert "args" not in captured


def test_parsed_config_is_a_value() -> None:
    assert isinstance(parse_config("db: a\n", "c"), ProxyConfig)
