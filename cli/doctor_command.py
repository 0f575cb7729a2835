"""`leitplanke doctor`: check a gateway host before (and after) the rollout."""

from __future__ import annotations

import json
import sys

import click

from cli.options import confdir_option, config_option, db_option, policy_option


def _connect_to(
    ctx: click.Context, param: click.Parameter, values: tuple[str, ...]
) -> dict[tuple[str, int], tuple[str, int]]:
    mapping = {}
    for value in values:
        parts = value.rsplit(":", 3)
        if len(parts) != 4 or not parts[1].isdigit() or not parts[3].isdigit():
            raise click.BadParameter(f"{value!r}: write HOST:PORT:ADDRESS:PORT, as curl's")
        mapping[(parts[0], int(parts[1]))] = (parts[2], int(parts[3]))
    return mapping


@click.command("doctor")
@config_option()
@policy_option("Policy whose approved tools are probed.")
@db_option("Findings database to check (read only).")
@confdir_option("mitmproxy confdir with the gateway's CA.")
@click.option(
    "--host",
    "hosts",
    multiple=True,
    metavar="HOST",
    help="Probe only these hosts (default: every host of every approved tool).",
)
@click.option(
    "--connect-to",
    multiple=True,
    metavar="HOST:PORT:ADDRESS:PORT",
    callback=_connect_to,
    help="Connect to ADDRESS:PORT instead when probing HOST:PORT (TLS still names HOST), "
    "as curl's --connect-to; e.g. for a test server or a vendor's other address.",
)
@click.option(
    "--cafile",
    type=click.Path(dir_okay=False, exists=True),
    help="Trust this CA file instead of the system's (a test server, a TLS-inspecting "
    "company proxy).",
)
@click.option("--timeout", type=float, default=10.0, show_default=True, help="Seconds per probe.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per check.")
def doctor(
    policy: str | None,
    db: str,
    confdir: str,
    hosts: tuple[str, ...],
    connect_to: dict[tuple[str, int], tuple[str, int]],
    cafile: str | None,
    timeout: float,
    as_json: bool,
) -> None:
    """Check the gateway host: CA files, policy, database, the running gateway's
    workers (its /healthz, when leitplanke_admin_port is set), the upstream proxy,
    DNS and a TLS handshake to every approved AI tool — and whether a tool answers
    with a bot challenge (Cloudflare, Akamai, PerimeterX, DataDome, Imperva, AWS WAF,
    Vercel) instead of itself, which employees would then see through the gateway.

    Paths come from the gateway's config file, as for every command. The probes
    leave from this host the way the gateway's do: directly, or through
    upstream_proxy with upstream_auth_file. Exit status: 0 nothing failed (warnings
    allowed), 1 a check failed, 2 the config file has mistakes.
    """
    from cli.doctor_checks import (
        approved_hosts,
        check_ca,
        check_db,
        check_gateway,
        check_hosts,
        check_policy,
        check_upstream,
    )
    from cli.doctor_probe import Route
    from cli.locations import config_file_path, configured, configured_option, key_file_of
    from cli.upstream import UpstreamError, read_auth_file, upstream_mode
    from policy.catalog import default_catalog

    ctx = click.get_current_context()
    config = config_file_path(ctx)
    results = []
    from cli.doctor_checks import Check

    results.append(
        Check("ok", "config", str(config))
        if config
        else Check("warn", "config", "no config file", "paths are the built-in defaults")
    )
    results += list(check_ca(confdir))
    loaded, policy_check = check_policy(policy)
    results.append(policy_check)
    results += list(check_db(db, key_file_of(ctx, db)))
    admin = configured_option(ctx, "leitplanke_admin_port")
    host = configured_option(ctx, "leitplanke_admin_host") or "127.0.0.1"
    results.append(check_gateway(host, int(admin) if admin and admin.isdigit() else None))
    route = Route(connect=connect_to, cafile=cafile, timeout=timeout)
    upstream, auth_file = configured(ctx, "upstream_proxy"), configured(ctx, "upstream_auth_file")
    if upstream:
        try:
            spec = upstream_mode(str(upstream)).removeprefix("upstream:")
            auth = read_auth_file(str(auth_file)) if auth_file else None
        except UpstreamError as exc:
            results.append(Check("fail", "upstream", str(exc)))
        else:
            address = spec.split("://", 1)[1]
            name, _, port = address.rpartition(":")
            route = Route(connect_to, (name.strip("[]"), int(port)), auth, cafile, timeout)
    results.append(check_upstream(route))
    if loaded is not None:
        targets = approved_hosts(loaded, default_catalog())
        if hosts:
            targets = [t for t in targets if t[1] in hosts] + [
                (h, h) for h in hosts if h not in {t[1] for t in targets}
            ]
        if not targets:
            results.append(Check("skip", "tls", "no approved tool in the policy"))
        results += list(check_hosts(targets, route, f"leitplanke-doctor/{_version()}"))
    for check in results:
        if as_json:
            click.echo(json.dumps(check.__dict__, ensure_ascii=False))
        else:
            click.echo(check.line())
    failed = sum(c.status == "fail" for c in results)
    if not as_json:
        warned = sum(c.status == "warn" for c in results)
        click.echo(f"{len(results)} checks: {failed} failed, {warned} warning(s)", err=True)
    sys.exit(1 if failed else 0)


def _version() -> str:
    from importlib import metadata

    try:
        return metadata.version("leitplanke")
    except metadata.PackageNotFoundError:  # pragma: no cover - a checkout without install
        return "dev"
