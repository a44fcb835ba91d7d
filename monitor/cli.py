"""The `monitor` command: a thin click layer; it and its command modules are the only place
exceptions become exit codes.

Exit codes: 0 done (poll also when some feeds failed: it names them), 1 an error
at run time (or a notifier that refused a test alert), 2 a bad config or bad usage,
3 poll: no feed answered (every feed failed or is backing off).

The commands live beside it by what they work on: ops_cli (the daemon and its state), rules_cli
(the classifier), archive_cli (the stored archive and feed lists).
"""

from __future__ import annotations

import logging
import os
import sqlite3
import sys
from typing import Any, NoReturn

import click

from .archive_cli import COMMANDS as ARCHIVE_COMMANDS
from .classify import Ruleset
from .config import Config, load_config, load_rules, mask_secrets
from .errors import ConfigError, MonitorError, StoreError
from .logs import SecretFilter, setup_logging
from .ops_cli import COMMANDS as OPS_COMMANDS
from .rules_cli import COMMANDS as RULES_COMMANDS
from .tallies import TallyTerms

log = logging.getLogger("monitor")


class Context:
    """What every command gets: the config, loaded when a command first asks for it."""

    def __init__(self, config_path: str | None, secret_filter: SecretFilter):
        self.config_path = config_path
        self._config: Config | None = None
        self._secret_filter = secret_filter

    @property
    def config(self) -> Config:
        if self._config is None:
            self._config = load_config(self.config_path)
            self._secret_filter.config = self._config
        return self._config

    @property
    def rules(self) -> tuple[Ruleset, TallyTerms]:
        """The rules and tally terms alone: what classify, eval and explain need (no notifier URLs)."""
        if self._config is not None:
            return self._config.rules, self._config.tally_terms
        return load_rules(self.config_path)


def _fail(e: MonitorError, ctx: Context | None = None) -> NoReturn:
    config = ctx._config if ctx else None
    click.echo(f"Error: {mask_secrets(str(e), config)}", err=True)
    sys.exit(2 if isinstance(e, ConfigError) else 1)


GLOBAL_FLAGS = ("-v", "--verbose", "-q", "--quiet")
_GLOBAL_WITH_VALUE = ("--config", "--log-format")


class Group(click.Group):
    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        """-v and -q are accepted after the subcommand too (`monitor poll -v`), unless the subcommand has
        its own option of that name (`monitor eval FILE -v` lists misses)."""
        args, i = list(args), 0
        while i < len(args) and args[i] not in self.commands:
            i += 2 if args[i] in _GLOBAL_WITH_VALUE else 1
        if i < len(args):
            own = {opt for p in self.commands[args[i]].params for opt in getattr(p, "opts", [])}
            rest = args[i + 1 :]
            stop = rest.index("--") if "--" in rest else len(rest)
            moved = [a for a in rest[:stop] if a in GLOBAL_FLAGS and a not in own]
            if moved:
                kept = [a for a in rest[:stop] if a not in moved] + rest[stop:]
                args = moved + args[: i + 1] + kept
        return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except MonitorError as e:
            _fail(e, ctx.obj)
        except sqlite3.Error as e:
            # A damaged or unwritable store deep in a command: a message naming it, the traceback in the log.
            config = ctx.obj._config if ctx.obj else None
            where = f"the store at {config.store_path}" if config else "the store"
            log.debug("store error", exc_info=True)
            _fail(StoreError(f"{where} failed: {e} (`monitor health` checks it)"), ctx.obj)


@click.group(cls=Group)
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False),
    envvar="MONITOR_CONFIG",
    help="Config file (default config/monitor.toml; or set MONITOR_CONFIG).",
)
@click.option(
    "--log-format", type=click.Choice(["text", "json"]), default="text", show_default=True, help="Log line format."
)
@click.option(
    "-v", "--verbose", is_flag=True, help="Our debug lines too (libraries stay at warnings); also after the command."
)
@click.option("-q", "--quiet", is_flag=True, help="Only warnings and errors; also after the command.")
@click.version_option(package_name="monitor")
@click.pass_context
def cli(ctx: click.Context, config_path: str | None, log_format: str, verbose: bool, quiet: bool) -> None:
    """Watch news feeds for attacks by Iran-backed groups on US forces in Iraq, Syria and Jordan,
    and the US strikes that answer them; alert on new reports and on moving attack totals."""
    # The workers come from a fork server that puts the current directory first on its path (Python
    # 3.11 ignores the path it is given): run from a folder holding another `monitor`, they would run
    # that one. -P keeps it off; set here, before any thread, as the environment must be.
    os.environ.setdefault("PYTHONSAFEPATH", "1")
    ctx.obj = Context(config_path, setup_logging(log_format, verbose, quiet))


for _command in (*OPS_COMMANDS, *RULES_COMMANDS, *ARCHIVE_COMMANDS):
    cli.add_command(_command)
