"""`leitplanke pac`: the PAC file that sends only AI hosts to the gateway."""

from __future__ import annotations

from pathlib import Path

import click

from cli.errors import load_policy_or_refuse
from cli.options import config_option, output_option, policy_option
from policy.intercept import PORTAL_HOST, gateway_hosts
from policy.pac import PacError, pac_file, parse_proxy, parse_route, routed_hosts


def _check_proxy(ctx: click.Context, param: click.Parameter, value: str) -> str:
    try:
        parse_proxy(value)
    except PacError as exc:
        raise click.BadParameter(str(exc)) from None
    return value


def _check_route(ctx: click.Context, param: click.Parameter, value: str) -> str:
    try:
        return parse_route(value)
    except PacError as exc:
        raise click.BadParameter(str(exc)) from None


@click.command("pac")
@config_option()
@click.option(
    "--proxy",
    required=True,
    metavar="HOST:PORT",
    callback=_check_proxy,
    help="The gateway as the clients reach it, e.g. leitplanke.firma.local:8080 "
    "(IPv6: [2001:db8::1]:8080).",
)
@policy_option(
    "Policy YAML file (default: the embedded default policy); adds the sign-in "
    "hosts its tenant restrictions need.",
    exists=True,
)
@output_option(
    "Write the PAC file to FILE; - is standard output.",
    short=True,
    type=click.Path(dir_okay=False, writable=True, allow_dash=True),
)
@click.option(
    "--fallback-direct",
    is_flag=True,
    help="Let browsers go DIRECT (or to the --fallback proxy) when the gateway does "
    "not answer (fail open). "
    "Default: fail closed, AI hosts are unreachable while the gateway is down, so "
    "an outage never bypasses the policy.",
)
@click.option(
    "--fallback",
    default="DIRECT",
    show_default=True,
    metavar="ROUTE",
    callback=_check_route,
    help="Where everything that is not an AI host goes: DIRECT, or the company's "
    "existing proxy, e.g. \"PROXY squid.firma.local:3128\" (several separated by ';'). "
    "Plain host names (intranet) always go DIRECT.",
)
@click.option(
    "--portal-host",
    default=PORTAL_HOST,
    show_default=True,
    help="The gateway's own page host (coaching links, approval requests), routed to "
    "the gateway too; must match the gateway's leitplanke_portal_host. Empty: none.",
)
def pac(
    proxy: str,
    policy: str | None,
    output: str,
    fallback_direct: bool,
    fallback: str,
    portal_host: str,
) -> None:
    """Write a PAC file (proxy auto-config) for browsers and Windows.

    Only the AI services of the catalog (each host with its subdomains, plus the
    sign-in hosts the policy's tenant restrictions need) go to the gateway at
    HOST:PORT; everything else goes DIRECT (or, with --fallback, to the company's
    existing proxy) and never touches it. Plain host names (intranet) always go
    DIRECT. The script needs no DNS lookups and runs in Chrome, Edge, Firefox and
    Windows WinHTTP.

    \b
    Rolling it out:
      * The gateway serves the same file itself, pointing at the address the
        client used: http://HOST:PORT/proxy.pac and http://HOST:PORT/wpad.dat
        (option leitplanke_pac_proxy sets the name it announces).
      * Group Policy / Intune: set the "automatic configuration script" (the
        Windows proxy setting, or the Edge and Chrome policy ProxySettings with
        ProxyMode "pac_script"; ProxyPacUrl is deprecated) to
        http://HOST:PORT/proxy.pac.
      * WPAD by DNS or DHCP: clients fetch http://wpad.<your domain>/wpad.dat on
        port 80; put this file there on a web server (e.g. --output wpad.dat).
    Browsers cache PAC files; after a catalog or policy change, clients pick up
    the new hosts at their next PAC refresh or restart.

    Exit status: 0 written, 2 invalid proxy address or policy.
    """
    loaded = load_policy_or_refuse(policy)
    hosts = gateway_hosts(loaded.policy, gateway_names=[portal_host])
    text = pac_file(hosts, proxy, fallback_direct=fallback_direct, other=fallback)
    if output == "-":
        click.echo(text, nl=False)
        return
    Path(output).write_text(text, encoding="utf-8")
    names, families = routed_hosts(hosts)
    click.echo(
        f"{output}: {len(names)} host names and {len(families)} host families to "
        f"{proxy}, everything else {fallback}",
        err=True,
    )
