"""upstream_proxy / upstream_auth_file → mitmproxy's upstream mode, or one clear refusal."""

from __future__ import annotations

from pathlib import Path

import pytest

from cli.upstream import UpstreamError, read_auth_file, upstream_mode, upstream_specs


@pytest.mark.parametrize(
    ("url", "mode"),
    [
        ("http://squid.firma.local:3128", "upstream:http://squid.firma.local:3128"),
        ("squid.firma.local:3128", "upstream:http://squid.firma.local:3128"),
        ("https://proxy.example:8443/", "upstream:https://proxy.example:8443"),
        ("http://[2001:db8::5]:3128", "upstream:http://[2001:db8::5]:3128"),
        (" http://10.0.0.5:8080 ", "upstream:http://10.0.0.5:8080"),
    ],
)
def test_upstream_urls_become_mitmproxy_modes(url: str, mode: str) -> None:
    assert upstream_mode(url) == mode


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("socks5://proxy:1080", "the scheme must be http or https"),
        ("http://user:pw@squid:3128", "no credentials in the URL"),
        ("http://squid", "host and port needed"),
        ("http://squid:99999", "out of range"),
        ("http://squid:3128/path", "only scheme, host and port"),
    ],
)
def test_unusable_upstream_urls_are_refused(url: str, message: str) -> None:
    with pytest.raises(UpstreamError, match=message) as caught:
        upstream_mode(url)
    assert str(caught.value).startswith("upstream_proxy: ")
    assert "\n" not in str(caught.value)


def auth_file(tmp_path: Path, text: str, mode: int = 0o600) -> str:
    path = tmp_path / "auth"
    path.write_text(text, encoding="utf-8")
    path.chmod(mode)
    return str(path)


def test_auth_file_gives_upstream_auth(tmp_path: Path) -> None:
    specs = upstream_specs("http://squid:3128", auth_file(tmp_path, "svc-ki:geh eim:1\n"))
    assert specs == ("mode=upstream:http://squid:3128", "upstream_auth=svc-ki:geh eim:1")


@pytest.mark.parametrize(
    ("text", "mode", "message"),
    [
        ("user:pw\n", 0o644, "readable by others.*chmod 600"),
        ("no-colon\n", 0o600, "must hold one line 'user:password'"),
        (":pw\n", 0o600, "must hold one line"),
        ("", 0o600, "must hold one line"),
    ],
)
def test_bad_auth_files_are_refused(tmp_path: Path, text: str, mode: int, message: str) -> None:
    with pytest.raises(UpstreamError, match=message):
        read_auth_file(auth_file(tmp_path, text, mode))


def test_missing_auth_file_names_the_file(tmp_path: Path) -> None:
    with pytest.raises(UpstreamError, match=r"upstream_auth_file: cannot read '.*nope'"):
        read_auth_file(str(tmp_path / "nope"))


@pytest.mark.parametrize(
    ("url", "auth", "sets", "message"),
    [
        ("http://s:1", None, ("mode=regular",), "'set: mode' both given"),
        ("http://s:1", "f", ("upstream_auth=a:b",), "'set: upstream_auth' both given"),
        (None, "f", (), "upstream_auth_file without upstream_proxy"),
    ],
)
def test_two_ways_to_say_one_thing_are_refused(
    url: str | None, auth: str | None, sets: tuple[str, ...], message: str
) -> None:
    with pytest.raises(UpstreamError, match=message):
        upstream_specs(url, auth, sets)


def test_no_upstream_no_options() -> None:
    assert upstream_specs(None, None, ("mode=regular",)) == ()
