"""The company's existing proxy in front of the gateway: `upstream_proxy` and
`upstream_auth_file` (config file keys, `--upstream-proxy`, `--upstream-auth-file`).

Many companies reach the internet only through a proxy (Squid, Sophos UTM/XG, the
Zscaler Client/App Connector): the gateway then sends everything it forwards there.
mitmproxy does this in its upstream mode, `mode=upstream:http://squid:3128`, with
the same addons as in regular mode:

* decrypted AI traffic: a CONNECT to the upstream proxy for the AI host, TLS to the
  AI service inside it (the gateway checks the certificate, as without a proxy);
* tunnelled traffic (hosts outside `allow_hosts`, `leitplanke_passthrough`): a
  CONNECT to the upstream proxy too, the bytes passed through undecrypted;
* plain-HTTP requests: absolute-form to the upstream proxy.

`upstream_auth_file` holds `user:password` (mitmproxy's `upstream_auth`: HTTP Basic
in a `Proxy-Authorization` header on every CONNECT and plain-HTTP request). It is a
file, not a value in the config file or on the command line (which every local user
can read in `ps`), and like a key file it must not be readable by others.
"""

from __future__ import annotations

import stat
from pathlib import Path
from urllib.parse import urlsplit

EXAMPLE = "http://squid.firma.local:3128"


class UpstreamError(ValueError):
    """An upstream proxy setting the gateway cannot use; the message says which and why."""


def upstream_mode(url: str, source: str = "upstream_proxy") -> str:
    """`http(s)://HOST:PORT` → mitmproxy's mode spec `upstream:http(s)://HOST:PORT`."""
    text = url.strip()
    try:
        parts = urlsplit(text if "://" in text else f"http://{text}")
        port = parts.port
    except ValueError as exc:
        raise UpstreamError(f"{source}: {url!r}: {exc} — write e.g. {EXAMPLE}") from None
    if parts.scheme not in ("http", "https"):
        raise UpstreamError(
            f"{source}: {url!r}: the scheme must be http or https (the proxy's own "
            f"protocol; HTTPS traffic is tunnelled with CONNECT either way) — e.g. {EXAMPLE}"
        )
    if parts.username or parts.password:
        raise UpstreamError(
            f"{source}: {url!r}: no credentials in the URL (they would be in the config "
            "and in the log) — put 'user:password' into a file and name it in "
            "upstream_auth_file / --upstream-auth-file"
        )
    if not parts.hostname or port is None:
        raise UpstreamError(f"{source}: {url!r}: host and port needed — e.g. {EXAMPLE}")
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise UpstreamError(f"{source}: {url!r}: only scheme, host and port — e.g. {EXAMPLE}")
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    return f"upstream:{parts.scheme}://{host}:{port}"


def read_auth_file(path: str, source: str = "upstream_auth_file") -> str:
    """`user:password` from the file's first line; refuses a file others can read."""
    file = Path(path).expanduser()
    try:
        mode = stat.S_IMODE(file.stat().st_mode)
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise UpstreamError(f"{source}: cannot read {str(file)!r}: {reason}") from None
    except UnicodeDecodeError:
        raise UpstreamError(f"{source}: {str(file)!r} is not a text file") from None
    if mode & 0o077:
        raise UpstreamError(
            f"{source}: {file} is readable by others (mode {mode:o}); run 'chmod 600 {file}' "
            "(or use a systemd credential)"
        )
    line = text.strip().splitlines()[0].strip() if text.strip() else ""
    user, colon, password = line.partition(":")
    if not colon or not user or not password:
        raise UpstreamError(f"{source}: {file} must hold one line 'user:password'")
    return line


def upstream_specs(
    url: str | None, auth_file: str | None, sets: tuple[str, ...] = ()
) -> tuple[str, ...]:
    """The mitmproxy options (`KEY=VALUE`) for the upstream settings; none without a URL.
    A `--set mode=…` or `--set upstream_auth=…` of the user's beside them is refused
    (two ways to say one thing, one would silently lose)."""
    given = {spec.split("=", 1)[0] for spec in sets}
    if url and "mode" in given:
        raise UpstreamError("upstream_proxy and 'set: mode' both given — keep upstream_proxy")
    if auth_file and "upstream_auth" in given:
        raise UpstreamError(
            "upstream_auth_file and 'set: upstream_auth' both given — keep upstream_auth_file"
        )
    if auth_file and not url:
        raise UpstreamError("upstream_auth_file without upstream_proxy — set upstream_proxy too")
    if not url:
        return ()
    specs = [f"mode={upstream_mode(url)}"]
    if auth_file:
        specs.append(f"upstream_auth={read_auth_file(auth_file)}")
    return tuple(specs)
