"""Every leitplanke_* option refuses a value that would change what the gateway
enforces by mistake (mitmproxy's tflow/taddons, all addons of the gateway loaded)."""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from mitmproxy import exceptions
from mitmproxy.test import taddons

from proxy_addon.leitplanke_addon import make_addons
from proxy_addon.option_values import OneLineOptionErrors, choice_error, closest
from proxy_addon.policy_source import PolicySource
from proxy_addon.recorder import Recorder
from proxy_addon.unknown_options import UnknownOptions, unknown_options_error


@pytest.fixture
def gateway(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[taddons.context]:
    """Every addon of `leitplanke proxy`, configured like a start with no options."""
    monkeypatch.chdir(tmp_path)  # the Recorder opens its default ./leitplanke.db
    addons = make_addons()
    with taddons.context(*addons) as tctx:
        tctx.configure(addons[0], leitplanke_db=str(tmp_path / "f.db"), leitplanke_workers=0)
        yield tctx
        for addon in addons:
            if isinstance(addon, PolicySource | Recorder):
                addon.done()


def first_addon(tctx: taddons.context) -> object:
    return tctx.master.addons.chain[1]  # [0] is mitmproxy's Core


# option, a value that must be refused, fragments of the one-line message
REFUSED: list[tuple[str, object, list[str]]] = [
    (
        "leitplanke_fail_mode",
        "closd",
        [
            "leitplanke_fail_mode: 'closd' is not valid",
            "did you mean 'closed'?",
            "valid values: policy, closed, open",
        ],
    ),
    ("leitplanke_fail_mode", "Closed", ["did you mean 'closed'?"]),
    ("leitplanke_fail_mode", "", ["leitplanke_fail_mode: '' is not valid"]),
    ("leitplanke_fail_mode", "block", ["valid values: policy, closed, open"]),
    (
        "leitplanke_language",
        "fr",
        ["leitplanke_language: 'fr' is not valid", "valid values: de, en"],
    ),
    ("leitplanke_language", "en-US", ["did you mean 'en'?"]),
    (
        "leitplanke_intercept",
        "none",
        ["leitplanke_intercept: 'none' is not valid", "valid values: ai, all"],
    ),
    ("leitplanke_intercept", "AI", ["did you mean 'ai'?"]),
    ("leitplanke_siem_format", "xml", ["leitplanke_siem_format: 'xml' is not valid", "cef"]),
    (
        "leitplanke_siem_facility",
        "local9",
        ["leitplanke_siem_facility: 'local9'", "did you mean 'local"],
    ),
    (
        "leitplanke_scan_timeout_ms",
        0,
        ["leitplanke_scan_timeout_ms: 0 is out of range", "use 1000 to 600000"],
    ),
    ("leitplanke_scan_timeout_ms", 20, ["use 1000 to 600000 (milliseconds"]),
    ("leitplanke_scan_timeout_ms", 600_001, ["leitplanke_scan_timeout_ms: 600001"]),
    ("leitplanke_workers", -1, ["leitplanke_workers: -1 is out of range", "use 0 to 256"]),
    ("leitplanke_workers", 257, ["leitplanke_workers: 257 is out of range"]),
    (
        "leitplanke_policy_reload_s",
        -1,
        ["leitplanke_policy_reload_s: -1", "0 turns hot reload off"],
    ),
    ("leitplanke_policy_reload_s", 86_401, ["use 0 to 86400"]),
    ("leitplanke_coaching_minutes", 0, ["leitplanke_coaching_minutes: 0", "use 1 to 1440"]),
    ("leitplanke_coaching_minutes", 1441, ["leitplanke_coaching_minutes: 1441"]),
    ("leitplanke_admin_port", 65_536, ["leitplanke_admin_port: 65536", "use 0 to 65535"]),
    ("leitplanke_admin_port", -1, ["0 turns the admin port off"]),
    ("leitplanke_client_networks", ["10.0.0.0/33"], ["leitplanke_client_networks", "10.0.0.0/33"]),
    ("leitplanke_passthrough", ["no-such-service"], ["leitplanke_passthrough", "no-such-service"]),
    ("leitplanke_pac_proxy", "gateway:99999", ["leitplanke_pac_proxy"]),
    ("leitplanke_portal_host", "Portal Host", ["leitplanke_portal_host"]),
    ("leitplanke_siem", "http://siem.example", ["leitplanke_siem"]),
    ("leitplanke_policy", "/nonexistent/policy.yaml", ["/nonexistent/policy.yaml"]),
    ("leitplanke_discovery_rules", "/nonexistent/rules.yaml", ["leitplanke_discovery_rules"]),
]


@pytest.mark.parametrize(("name", "value", "fragments"), REFUSED, ids=lambda v: str(v)[:24])
def test_invalid_value_is_refused_with_one_line(
    gateway: taddons.context, name: str, value: object, fragments: list[str]
) -> None:
    before = getattr(gateway.options, name)
    with pytest.raises(exceptions.OptionsError) as refused:
        gateway.configure(first_addon(gateway), **{name: value})
    message = str(refused.value)
    assert "\n" not in message or name == "leitplanke_policy"  # the policy lists problems
    for fragment in fragments:
        assert fragment in message
    assert getattr(gateway.options, name) == before  # mitmproxy rolled the change back


# option, values at the edges of what is valid
ACCEPTED: list[tuple[str, object]] = [
    ("leitplanke_fail_mode", "closed"),
    ("leitplanke_fail_mode", "open"),
    ("leitplanke_fail_mode", "policy"),
    ("leitplanke_language", "en"),
    ("leitplanke_intercept", "all"),
    ("leitplanke_siem_format", "cef"),
    ("leitplanke_siem_facility", "local7"),
    ("leitplanke_scan_timeout_ms", 1000),
    ("leitplanke_scan_timeout_ms", 600_000),
    ("leitplanke_workers", 0),
    ("leitplanke_policy_reload_s", 0),
    ("leitplanke_policy_reload_s", 86_400),
    ("leitplanke_coaching_minutes", 1),
    ("leitplanke_coaching_minutes", 1440),
    ("leitplanke_admin_port", 0),
]


@pytest.mark.parametrize(("name", "value"), ACCEPTED, ids=str)
def test_valid_value_is_accepted(gateway: taddons.context, name: str, value: object) -> None:
    gateway.configure(first_addon(gateway), **{name: value})
    assert getattr(gateway.options, name) == value


def test_every_option_with_choices_enforces_them(gateway: taddons.context) -> None:
    """mitmproxy only documents `choices`; a new option must not forget to check them."""
    with_choices = [
        name
        for name, option in gateway.options.items()
        if name.startswith("leitplanke_") and option.choices
    ]
    assert len(with_choices) >= 5
    for name in with_choices:
        with pytest.raises(exceptions.OptionsError, match=name):
            gateway.configure(first_addon(gateway), **{name: "no-such-choice"})


def test_every_integer_option_refuses_a_negative_value(gateway: taddons.context) -> None:
    numbers = [
        name
        for name, option in gateway.options.items()
        if name.startswith("leitplanke_") and option.typespec is int
    ]
    assert len(numbers) >= 5
    for name in numbers:
        with pytest.raises(exceptions.OptionsError, match=name):
            gateway.configure(first_addon(gateway), **{name: -1})


# ---- paths ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("option", "relative", "fragment"),
    [
        ("leitplanke_db", "a-file/f.db", "leitplanke_db: cannot open or create"),
        ("leitplanke_key_file", "a-file/f.key", "leitplanke_key_file: cannot open or create"),
    ],
)
def test_path_under_a_file_is_one_line(
    gateway: taddons.context, tmp_path: Path, option: str, relative: str, fragment: str
) -> None:
    (tmp_path / "a-file").write_text("x")
    recorder = next(a for a in gateway.master.addons.chain if isinstance(a, Recorder))
    with pytest.raises(exceptions.OptionsError) as refused:
        gateway.configure(recorder, **{option: str(tmp_path / relative)})
    assert fragment in str(refused.value) and "not a directory" in str(refused.value)
    assert "\n" not in str(refused.value)
    # mitmproxy rolled the option back: the Recorder writes to the database it had.
    assert recorder.store is not None and recorder.store.path == tmp_path / "f.db"


# ---- unknown leitplanke_* names -----------------------------------------------------


@pytest.mark.parametrize(
    ("given", "fragments"),
    [
        (
            "leitplanke_fial_mode=closed",
            ["unknown option leitplanke_fial_mode", "did you mean leitplanke_fail_mode?"],
        ),
        ("leitplanke_wokers=2", ["did you mean leitplanke_workers?"]),
        ("leitplanke_something=1", ["unknown option leitplanke_something (mitmproxy would"]),
    ],
)
def test_unknown_leitplanke_option_is_refused(
    gateway: taddons.context, given: str, fragments: list[str]
) -> None:
    gateway.options.set(given, defer=True)  # as mitmproxy does with the command line
    assert given.split("=")[0] in gateway.options.deferred
    with pytest.raises(exceptions.OptionsError) as refused:
        gateway.configure(first_addon(gateway), leitplanke_language="en")
    for fragment in fragments:
        assert fragment in str(refused.value)


def test_other_unknown_options_are_left_to_mitmproxy(gateway: taddons.context) -> None:
    """A script loaded after ours may declare them; mitmproxy decides."""
    gateway.options.set("my_script_option=1", defer=True)
    gateway.configure(first_addon(gateway), leitplanke_language="en")


async def test_running_refuses_an_unknown_option_that_came_without_configure(
    caplog: pytest.LogCaptureFixture,
) -> None:
    addon = UnknownOptions()
    with taddons.context(addon) as tctx:
        tctx.options.deferred["leitplanke_fial_mode"] = "closed"
        with caplog.at_level(logging.ERROR):
            addon.running()
        await asyncio.sleep(0)  # shutdown() is thread-safe: it schedules the exit
        assert tctx.master.should_exit.is_set()
    (record,) = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert "unknown option leitplanke_fial_mode" in record.getMessage()


def test_unknown_options_message_names_each() -> None:
    message = unknown_options_error(
        ["leitplanke_b", "leitplanke_fial_mode"], ["leitplanke_fail_mode"]
    )
    assert message.startswith(
        "unknown option leitplanke_b; leitplanke_fial_mode — did you mean leitplanke_fail_mode?"
    )


# ---- wording helpers ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("word", "choices", "expected"),
    [
        ("closd", ["policy", "closed", "open"], "closed"),
        ("CLOSED", ["policy", "closed", "open"], "closed"),
        (" open", ["policy", "closed", "open"], "open"),
        ("clo", ["policy", "closed", "open"], "closed"),
        ("de-DE", ["de", "en"], "de"),
        ("fr", ["de", "en"], None),
        ("", ["de", "en"], None),
    ],
)
def test_closest(word: str, choices: list[str], expected: str | None) -> None:
    assert closest(word, choices) == expected


def test_choice_error_without_a_close_value_lists_the_valid_ones() -> None:
    assert choice_error("leitplanke_language", "fr", ["de", "en"]) == (
        "leitplanke_language: 'fr' is not valid — valid values: de, en"
    )


def test_script_loader_option_error_becomes_one_line() -> None:
    """Plain `mitmdump -s` logs a script's OptionsError with a traceback."""
    try:
        raise exceptions.OptionsError("leitplanke_fail_mode: 'closd' is not valid")
    except exceptions.OptionsError:
        info = sys.exc_info()
    record = logging.LogRecord(
        "mitmproxy.addons.script", logging.ERROR, "f", 1, "error in script %s", ("addon.py",), info
    )
    assert OneLineOptionErrors().filter(record)
    assert record.exc_info is None
    assert record.getMessage() == (
        "error in script addon.py: leitplanke_fail_mode: 'closd' is not valid"
    )
    assert "Traceback" not in logging.Formatter().format(record)


def test_script_loader_keeps_the_traceback_of_a_bug() -> None:
    try:
        raise ValueError("a bug")
    except ValueError:
        info = sys.exc_info()
    record = logging.LogRecord("mitmproxy.addons.script", logging.ERROR, "f", 1, "m", (), info)
    assert OneLineOptionErrors().filter(record)
    assert record.exc_info is info
