"""`leitplanke ca`: export the gateway's CA certificate for rollout, rotate the CA."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import cast

import click

from cli.ca_files import (
    BUNDLE_FILE,
    CA_FILE,
    CERT_FILE,
    DEFAULT_OVERLAP_DAYS,
    FORMATS,
    NEXT_DIR,
    RETIRED_DIR,
    CaError,
    Format,
    confdir_path,
    describe,
    ensure_ca,
    export_bytes,
    next_cert,
    prepare_rotation,
    rotate,
    trusted_certs,
)
from cli.errors import Refused
from cli.options import F, confdir_option, config_option


def _confdir(command: F) -> F:
    """--config and --confdir: the gateway's confdir as its config file names it."""
    command = confdir_option("mitmproxy confdir of the gateway (its 'confdir:').")(command)
    return config_option()(command)


@click.group("ca")
def ca() -> None:
    """The gateway's CA: export its certificate for the clients, rotate it.

    Clients trust the gateway because they trust its CA certificate; the private key
    (mitmproxy-ca.pem in the confdir, mode 0600) never leaves the gateway host. Rollout via GPO,
    Intune, macOS profiles, Firefox policies and developer trust stores, and the
    rotation procedure: docs/ca-rollout.md.
    """


@ca.command("export")
@_confdir
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="pem",
    show_default=True,
    help="pem (Linux, macOS, developer tools), der (.cer/.crt for GPO, Intune, Java) "
    "or p12 (certificate-only PKCS#12 without password, no key, for Windows/Intune).",
)
@click.option(
    "--bundle",
    is_flag=True,
    help="Every certificate clients should trust now: the active CA, the next one "
    "prepared by 'ca rotate --prepare' and retired ones still in their overlap "
    "(pem or p12).",
)
@click.option(
    "--next",
    "next_only",
    is_flag=True,
    help="Only the next CA prepared by 'ca rotate --prepare' (to add it next to the "
    "active one, e.g. as a second GPO entry).",
)
@click.option(
    "--output",
    "-o",
    default="-",
    show_default=True,
    metavar="FILE",
    type=click.Path(dir_okay=False, writable=True, allow_dash=True),
    help="Write to FILE; - is standard output (der and p12 not to a terminal).",
)
@click.option(
    "--create",
    is_flag=True,
    help="Create the CA first if the confdir has none (as 'leitplanke proxy' would). "
    "Without it a missing CA is an error: a CA created in the wrong place would be "
    "rolled out to every client and never used.",
)
def export(
    confdir: str, fmt: str, bundle: bool, next_only: bool, output: str, create: bool
) -> None:
    """Export the PUBLIC CA certificate (never the private key).

    The confdir is the gateway's: --confdir, LEITPLANKE_CONFDIR or 'confdir:' in the
    config file. Prints subject, validity and the SHA-256 fingerprint (and the SHA-1
    thumbprint Windows shows) to standard error, to compare with what the clients
    installed. Exit status: 0 exported, 2 no CA there (see --create, 'ca init') or it
    cannot be read.
    """
    if bundle and next_only:
        raise Refused("--bundle and --next exclude each other")
    if bundle and fmt == "der":
        raise Refused("DER holds one certificate; use --format pem or p12 for --bundle")
    if fmt != "pem" and output == "-" and sys.stdout.isatty():
        raise Refused(f"{fmt} is binary; write it to a file with --output FILE")
    directory = confdir_path(confdir)
    if not create and not (directory / CA_FILE).exists():
        raise Refused(
            f"no CA in {directory} ({CA_FILE} is missing) — is that the gateway's confdir? "
            "It is the 'confdir:' of /etc/leitplanke/config.yaml (or --config, --confdir). "
            "A new gateway creates its CA at the first start; 'leitplanke ca init --org …' "
            "creates one with your company's name; --create makes mitmproxy's default one"
        )
    try:
        cert, created = ensure_ca(directory)
        if created:
            click.echo(f"created a new CA in {directory} (as 'leitplanke proxy' would)", err=True)
        if next_only:
            upcoming = next_cert(directory)
            if upcoming is None:
                raise CaError(f"no next CA in {directory / NEXT_DIR}; run 'ca rotate --prepare'")
            certs = [upcoming]
        else:
            certs = trusted_certs(directory) if bundle else [cert]
        data = export_bytes(certs, cast(Format, fmt))
    except CaError as exc:
        raise Refused(str(exc)) from None
    with click.open_file(output, "wb") as stream:
        stream.write(data)
    for c in certs:
        click.echo(describe(c), err=True)


@ca.command("rotate")
@_confdir
@click.option(
    "--overlap-days",
    default=DEFAULT_OVERLAP_DAYS,
    show_default=True,
    type=click.IntRange(min=0),
    metavar="N",
    help="How long clients keep trusting the old CA after the switch (the rollback "
    "window); recorded in DIR/retired/<date>/retired.json, the bundle keeps the old CA "
    "until then. 0 if the old key is compromised.",
)
@click.option(
    "--prepare",
    is_flag=True,
    help="Step 1: only create the next CA in DIR/next/ and write the bundle (active + "
    "next) for distribution; the gateway keeps signing with the active CA.",
)
def rotate_command(confdir: str, overlap_days: int, prepare: bool) -> None:
    """Replace the gateway's CA while clients trust both for an overlap.

    mitmproxy signs with one CA at a time, so the new certificate must reach the
    clients before the gateway uses it: 'ca rotate --prepare', distribute
    DIR/mitmproxy-ca-bundle.pem (or 'ca export --next'), wait for the rollout, then
    'ca rotate' and restart 'leitplanke proxy'. The rotation makes the prepared CA (or,
    without --prepare, a fresh one) the active DIR/mitmproxy-ca.pem (0600), moves the
    old CA files to DIR/retired/<date>/ (0700) with retired.json, and rewrites the
    bundle. After the overlap remove the old certificate from the clients.
    Exit status: 0 done, 2 no CA to rotate or the confdir cannot be written.
    """
    directory = confdir_path(confdir)
    try:
        if prepare:
            upcoming, created = prepare_rotation(directory)
            state = "created" if created else "already prepared"
            click.echo(f"next CA {state} in {directory / NEXT_DIR}:\n  {describe(upcoming)}")
            click.echo(
                f"\nNow distribute {directory / BUNDLE_FILE} (active + next CA) to every "
                "client, or add 'leitplanke ca export --next' next to the active CA "
                "(GPO, Intune, MDM).\nWhen the clients have it, run 'leitplanke ca rotate' "
                "and restart 'leitplanke proxy'."
            )
            return
        result = rotate(directory, overlap_days)
    except (CaError, OSError) as exc:
        raise Refused(str(exc)) from None
    click.echo(f"new active CA ({directory / CA_FILE}):\n  {describe(result.new)}")
    click.echo(f"old CA moved to {result.retired_dir}:\n  {describe(result.old)}")
    click.echo(f"bundle for the overlap: {result.bundle}")
    click.echo("\nRestart 'leitplanke proxy': it loads the CA at start.")
    if not result.was_prepared:
        click.echo(
            f"The new CA was not prepared: clients trust it only after you distribute "
            f"{directory / CERT_FILE} (or the bundle) now; until then they reject the "
            "gateway. Next time use 'ca rotate --prepare' first.",
        )
    click.echo(
        f"Remove the old CA (SHA-256 above) from the clients after "
        f"{result.remove_after:%Y-%m-%d} (overlap {overlap_days} days); "
        f"{directory / RETIRED_DIR} keeps its files for a rollback."
    )


@ca.command("init")
@_confdir
@click.option(
    "--org",
    required=True,
    metavar="NAME",
    help="The company, as employees should see it in the certificate (O=, and CN=NAME "
    "Leitplanke CA).",
)
@click.option("--cn", metavar="NAME", help="Another common name for the CA.")
def init_command(confdir: str, org: str, cn: str | None) -> None:
    """Create the gateway's CA with the company's name (before the first start).

    Without it the gateway creates 'CN=mitmproxy, O=mitmproxy' at its first start.
    Refuses when the confdir has a CA already ('ca rotate' replaces one). Then export
    it for the clients with 'leitplanke ca export'. Exit status: 0 created, 2 refused.
    """
    from cli.ca_company import init_ca

    directory = confdir_path(confdir)
    try:
        cert = init_ca(directory, org, cn)
    except CaError as exc:
        raise Refused(str(exc)) from None
    click.echo(f"created the CA in {directory}:\n  {describe(cert)}")


@ca.command("import")
@_confdir
@click.argument("cert", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("key", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--chain",
    type=click.Path(dir_okay=False, path_type=Path),
    help="PEM file with the certificates above CERT up to the company root; the "
    "gateway sends them with every certificate it makes.",
)
def import_command(confdir: str, cert: Path, key: Path, chain: Path | None) -> None:
    """Use an intermediate CA from the company PKI as the gateway's CA.

    CERT is the subordinate CA certificate the PKI issued for the gateway
    (basicConstraints CA:TRUE), KEY its unencrypted RSA private key (PEM). Written as
    DIR/mitmproxy-ca.pem (key + certificate + chain, mode 0600) and the public
    DIR/mitmproxy-ca-cert.pem. Clients that trust the company root need no rollout.
    Delete KEY afterwards: the confdir holds the only copy the gateway needs.
    Exit status: 0 imported, 2 refused (a CA there already, key does not match, not a CA).
    """
    from cli.ca_company import import_ca

    directory = confdir_path(confdir)
    try:
        imported = import_ca(directory, cert, key, chain)
    except CaError as exc:
        raise Refused(str(exc)) from None
    click.echo(f"imported the CA into {directory / CA_FILE}:\n  {describe(imported)}")
    click.echo("Restart 'leitplanke proxy' if it runs: it loads the CA at start.")
