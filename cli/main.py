"""The `leitplanke` command line. Each command's --help is its documentation."""

from __future__ import annotations

import sys

import click

from policy.loader import LoadedPolicy, PolicyError, load_policy


def _load(policy: str | None) -> LoadedPolicy:
    try:
        return load_policy(policy)
    except PolicyError as exc:
        click.echo(f"invalid policy:\n{exc}", err=True)
        sys.exit(2)


@click.group()
@click.version_option(package_name="leitplanke")
def cli() -> None:
    """Leitplanke — an AI-governance gateway: guardrails, not bans.

    Keeps personal data, health data and secrets out of AI tools that are not
    approved for them, as the one-page YAML policy says.
    """


@cli.command()
@click.argument("paths", nargs=-1, required=True)
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="One JSON object per input and line: path, verdict, findings.",
)
@click.option(
    "--policy",
    type=click.Path(dir_okay=False),
    help="Policy YAML file (default: the embedded default policy).",
)
@click.option(
    "--service",
    metavar="ID",
    help="Decide as for this catalog service (e.g. openai-api), including "
    "tool approval; default: data rules only.",
)
@click.option(
    "--explain",
    is_flag=True,
    help="Show for each finding the recognizer, the pattern, the context word that raised "
    "the score and the checksum result (JSON: an 'explanation' object per finding).",
)
def check(
    paths: tuple[str, ...], as_json: bool, policy: str | None, service: str | None, explain: bool
) -> None:
    """Scan files (PATH, or - for stdin) for personal data, health data and secrets.

    Prints the verdict the policy gives (allow, log, warn, redact, block) and each
    finding's entity type, data class, character offsets and score — never the
    detected values themselves (the human-readable output shows them masked).
    Exit status: 0 checked, 2 an input could not be read or the policy is invalid.
    """
    from cli.check import run_check

    sys.exit(run_check(_load(policy), paths, as_json, service, explain))


@cli.command(context_settings={"ignore_unknown_options": False})
@click.option(
    "--config",
    "config_file",
    type=click.Path(dir_okay=False),
    envvar="LEITPLANKE_CONFIG",
    show_envvar=True,
    help="YAML config file whose keys mirror these options (policy, db, listen_host, "
    "listen_port, confdir, log_format, set); flags and environment variables win over it "
    "(default: /etc/leitplanke/config.yaml if it exists).",
)
@click.option(
    "--policy",
    type=click.Path(exists=True, dir_okay=False),
    envvar="LEITPLANKE_POLICY",
    show_envvar=True,
    help="Policy YAML file (default: the embedded default policy).",
)
@click.option(
    "--db",
    default="./leitplanke.db",
    show_default=True,
    envvar="LEITPLANKE_DB",
    show_envvar=True,
    help="Findings database (SQLite); its key file is '<db>.key'.",
)
@click.option(
    "--listen-host",
    default="127.0.0.1",
    show_default=True,
    envvar="LEITPLANKE_LISTEN_HOST",
    show_envvar=True,
    help="Address to listen on.",
)
@click.option(
    "--listen-port",
    default=8080,
    show_default=True,
    type=click.IntRange(1, 65535),
    envvar="LEITPLANKE_LISTEN_PORT",
    show_envvar=True,
    help="Port.",
)
@click.option(
    "--confdir",
    type=click.Path(file_okay=False),
    envvar="LEITPLANKE_CONFDIR",
    show_envvar=True,
    help="mitmproxy confdir; the CA certificate is DIR/mitmproxy-ca-cert.pem "
    "(default ~/.mitmproxy).",
)
@click.option(
    "--set",
    "sets",
    multiple=True,
    metavar="KEY=VALUE",
    help="Any mitmproxy or leitplanke_* option, repeatable "
    "(e.g. --set map_remote=..., --set leitplanke_workers=2); wins over the same key "
    "under 'set:' in the config file.",
)
@click.option(
    "--log-format",
    type=click.Choice(["auto", "text", "json"]),
    default="auto",
    show_default=True,
    envvar="LEITPLANKE_LOG_FORMAT",
    show_envvar=True,
    help="json: one JSON object per log line; auto: json with syslog priority prefixes "
    "when stdout is the systemd journal (JOURNAL_STREAM), else text.",
)
@click.pass_context
def proxy(
    ctx: click.Context,
    config_file: str | None,
    policy: str | None,
    db: str,
    listen_host: str,
    listen_port: int,
    confdir: str | None,
    sets: tuple[str, ...],
    log_format: str,
) -> None:
    """Run the gateway: an HTTP(S) proxy that checks prompts to AI services.

    Point clients at http://HOST:PORT as their proxy and let them trust the CA
    certificate in the confdir. Prompts with data the policy does not allow for
    the tool are answered inline with a warning, in the tool's own format, and never
    reach the AI service. Options: see 'mitmdump --options' for mitmproxy's, and
    leitplanke_policy, leitplanke_db, leitplanke_key_file, leitplanke_workers,
    leitplanke_scan_timeout_ms, leitplanke_fail_mode, leitplanke_language (all of
    them: docs/service.md). An unknown option, an invalid value or a policy with a
    mistake stops the start with one line per problem (exit status 2).
    Precedence: flag > environment variable > config file > default.
    """
    from click.core import ParameterSource

    from cli.proxy_config import ConfigError, find_config, load_config, resolve

    given = {
        "policy": policy,
        "db": db,
        "listen_host": listen_host,
        "listen_port": listen_port,
        "confdir": confdir,
        "log_format": log_format,
    }
    explicit = {
        name
        for name in given
        if ctx.get_parameter_source(name)
        in (ParameterSource.COMMANDLINE, ParameterSource.ENVIRONMENT)
    }
    flags = {
        name: "--" + name.replace("_", "-") + " / LEITPLANKE_" + name.upper() for name in given
    }
    path = find_config(config_file)
    try:
        config = load_config(path) if path is not None else None
    except ConfigError as exc:
        click.echo(f"invalid config:\n{exc}", err=True)
        sys.exit(2)
    settings = resolve(given, explicit, config, sets, flags)
    values = settings.values
    if values["policy"]:
        _load(values["policy"])  # fail early with file:line errors, before mitmproxy starts
    from cli.proxy import RunSettings, mitmdump_args, run_proxy

    notes = ([f"leitplanke: config {path}"] if path is not None else []) + [
        f"leitplanke: {note}" for note in settings.notes
    ]
    run_proxy(
        mitmdump_args(
            policy=values["policy"],
            db=values["db"],
            listen_host=values["listen_host"],
            listen_port=values["listen_port"],
            confdir=values["confdir"],
            sets=settings.sets,
        ),
        RunSettings(
            values["log_format"],
            tuple(notes),
            settings.file_sets,
            cli_sets=sets,
            env_read=tuple(
                var
                for param in ctx.command.params
                for var in ([param.envvar] if isinstance(param.envvar, str) else param.envvar or [])
            ),
        ),
    )


from cli.policy_commands import policy_group  # noqa: E402  (registered below the group)

cli.add_command(policy_group)

from cli.bench_command import bench_command  # noqa: E402
from cli.ca_command import ca  # noqa: E402
from cli.eval_command import eval_command  # noqa: E402  (registered below the group)
from cli.export_command import export  # noqa: E402
from cli.inventory_command import inventory  # noqa: E402
from cli.merge_command import merge  # noqa: E402
from cli.notify_command import notify  # noqa: E402
from cli.pac_command import pac  # noqa: E402
from cli.purge_command import purge  # noqa: E402
from cli.reidentify_command import reidentify  # noqa: E402
from cli.report_command import report  # noqa: E402
from cli.review_command import review  # noqa: E402

cli.add_command(bench_command)
cli.add_command(eval_command)
cli.add_command(ca)
cli.add_command(inventory)
cli.add_command(merge)
cli.add_command(notify)
cli.add_command(pac)
cli.add_command(purge)
cli.add_command(reidentify)
cli.add_command(export)
cli.add_command(review)
cli.add_command(report)

if __name__ == "__main__":
    cli()
