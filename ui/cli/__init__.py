"""The `shopassist` command: the root group, its built-in command groups, and plugins from entry points."""

# shopassist setup                         # convert the model, build the demo index
# shopassist chat --user C0001             # terminal chat as a demo customer
# shopassist chat --message "hi there"     # one answer on stdout, as a guest
# shopassist serve --port 7860             # browser chat, widget and /v1 API
# shopassist ingest catalog.csv            # (re)index a product catalog
#
# Other installed packages add command groups under the entry-point group `shopassist.commands`
# (e.g. `shopassist bench`, from benchmarks/cli.py); a built-in command keeps its name.

from __future__ import annotations

import logging
from importlib.metadata import EntryPoint, entry_points

import click

from ui.cli.evaluate import evaluate
from ui.cli.experiments import experiments
from ui.cli.finetune import finetune
from ui.cli.ingest import ingest, setup
from ui.cli.profiles import profiles, retention
from ui.cli.serve import chat, serve

PLUGIN_GROUP = "shopassist.commands"
log = logging.getLogger(__name__)


class PluginGroup(click.Group):
    """A group whose commands are its own plus those registered under `PLUGIN_GROUP`, loaded when used."""

    def _plugins(self) -> dict[str, EntryPoint]:
        return {ep.name: ep for ep in entry_points(group=PLUGIN_GROUP) if ep.name not in self.commands}

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.commands, *self._plugins()})

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in self.commands:
            return self.commands[name]
        entry = self._plugins().get(name)
        if entry is None:
            return None
        try:
            command = entry.load()
        except Exception as exc:  # a broken plugin must not take the other commands down
            log.info("command %r (%s) could not be loaded: %s", name, entry.value, exc)
            return _unavailable(name, entry, exc)
        if not isinstance(command, click.Command):
            return _unavailable(name, entry, TypeError(f"{entry.value} is not a click command"))
        self.add_command(command, name)
        return command


def _unavailable(name: str, entry: EntryPoint, exc: Exception) -> click.Command:
    """Stands in for a plugin that failed to load: listed, and says why when run."""

    def fail() -> None:
        raise click.ClickException(f"the {name!r} command ({entry.value}) could not be loaded: {exc}")

    return click.Command(name, callback=fail, help=f"(unavailable: {exc})",
                         context_settings={"ignore_unknown_options": True, "allow_extra_args": True})


@click.group(cls=PluginGroup)
@click.option("-v", "--verbose", is_flag=True, help="Log what each stage does.")
@click.version_option(package_name="shopassist")
def cli(verbose: bool) -> None:
    """ShopAssist: a conversational shopping assistant for online stores."""
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")


for _command in (setup, chat, serve, ingest, finetune, evaluate, profiles, retention, experiments):
    cli.add_command(_command)


def main() -> None:
    cli()
