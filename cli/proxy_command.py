"""`leitplanke proxy`: run the gateway (mitmproxy with the Leitplanke addons).

Options come from flags, LEITPLANKE_* variables and a config file (cli/proxy_config.py);
cli/proxy.py starts mitmproxy. Both are imported when the command runs.
"""

from __future__ import annotations

from typing import Any

import click

from cli.errors import FileProblems, Refused, load_policy_or_refuse
from cli.options import db_option, policy_option


class GatewayCommand(click.Command):
    """A command whose --help ends with every `leitplanke_*` option the addons declare
    (cli/addon_options.py): generated, so no option is ever missing from it."""

    def format_epilog(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        from cli.addon_options import declared_options

        super().format_epilog(ctx, formatter)
        with formatter.section("Gateway options (--set NAME=VALUE, or under 'set:' in --config)"):
            formatter.write_dl([(o.name, o.line()) for o in declared_options()])


@click.command("proxy", cls=GatewayCommand, context_settings={"ignore_unknown_options": False})
@click.option(
    "--config",
    "config_file",
    type=click.Path(dir_okay=False),
    envvar="LEITPLANKE_CONFIG",
    show_envvar=True,
    help="YAML config file whose keys mirror these options (policy, db, listen_host, "
    "listen_port, confdir, log_format, upstream_proxy, upstream_auth_file, set); flags and "
    "environment variables win over it "
    "(default: /etc/leitplanke/config.yaml if it exists).",
)
@policy_option(exists=True, from_config=False, envvar="LEITPLANKE_POLICY", show_envvar=True)
@db_option(
    "Findings database (SQLite); its key file is '<db>.key'.",
    from_config=False,
    envvar="LEITPLANKE_DB",
    show_envvar=True,
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
    "--upstream-proxy",
    metavar="URL",
    envvar="LEITPLANKE_UPSTREAM_PROXY",
    show_envvar=True,
    help="Send everything the gateway forwards through the company's proxy "
    "(Squid, Sophos, Zscaler connector), e.g. http://squid.firma.local:3128; "
    "decrypted and tunnelled HTTPS alike (mitmproxy's upstream mode).",
)
@click.option(
    "--upstream-auth-file",
    type=click.Path(dir_okay=False),
    envvar="LEITPLANKE_UPSTREAM_AUTH_FILE",
    show_envvar=True,
    help="File (mode 600) with 'user:password' for the upstream proxy (HTTP Basic).",
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
    upstream_proxy: str | None,
    upstream_auth_file: str | None,
    sets: tuple[str, ...],
    log_format: str,
) -> None:
    """Run the gateway: an HTTP(S) proxy that checks prompts to AI services.

    Point clients at http://HOST:PORT as their proxy and let them trust the CA
    certificate in the confdir. Prompts with data the policy does not allow for
    the tool are answered inline with a warning, in the tool's own format, and never
    reach the AI service. Options: the gateway's own are listed below, mitmproxy's with
    'mitmdump --options'. An unknown option, an invalid value or a policy with a
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
        "upstream_proxy": upstream_proxy,
        "upstream_auth_file": upstream_auth_file,
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
        raise FileProblems(str(path), exc.problems) from None
    settings = resolve(given, explicit, config, sets, flags)
    values = settings.values
    if values["policy"]:
        # Fail early with file:line errors, before mitmproxy starts.
        load_policy_or_refuse(values["policy"])
    from cli.preflight import PreflightError, check_confdir, check_listen
    from cli.proxy import RunSettings, mitmdump_args, run_proxy
    from cli.upstream import UpstreamError

    try:
        check_confdir(values["confdir"])
        check_listen(values["listen_host"], values["listen_port"])
    except PreflightError as exc:
        raise Refused(str(exc)) from None

    try:
        all_sets = _with_upstream(values, settings.sets)
    except UpstreamError as exc:
        raise Refused(str(exc)) from None

    def reread() -> tuple[tuple[str, ...], str]:
        """SIGHUP: the config file again, under the same flags and environment."""
        again = resolve(given, explicit, load_config(path), sets, flags) if path else settings
        return _specs(again.values, _with_upstream(again.values, again.sets)), str(path)

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
            sets=all_sets,
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
            reread=reread if path is not None else None,
            initial=_specs(values, all_sets),
        ),
    )


def _with_upstream(values: dict[str, Any], sets: tuple[str, ...]) -> tuple[str, ...]:
    """`sets` and the mitmproxy options for upstream_proxy/upstream_auth_file."""
    from cli.upstream import upstream_specs

    return sets + upstream_specs(values["upstream_proxy"], values["upstream_auth_file"], sets)


def _specs(values: dict[str, Any], sets: tuple[str, ...]) -> tuple[str, ...]:
    """Every option the gateway runs with, as mitmproxy `--set KEY=VALUE` specs."""
    from cli.proxy import option_specs

    listen = (f"listen_host={values['listen_host']}", f"listen_port={values['listen_port']}")
    return listen + option_specs(
        policy=values["policy"], db=values["db"], confdir=values["confdir"], sets=sets
    )
