"""What every `shopassist` command shares: validated settings from flags, clear errors, status lines."""

from __future__ import annotations

import functools
import logging
from typing import Any

import click
from pydantic import ValidationError

from assistant.settings import Settings
from data.errors import ShopAssistError

log = logging.getLogger(__name__)
ENV_PREFIX = "SHOPASSIST_"


def friendly_errors(command):
    """Turn our errors into one clear line plus a hint, never a traceback."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except ShopAssistError as exc:
            raise click.ClickException(exc.message + (f"\nhint: {exc.hint}" if exc.hint else "")) from exc

    return wrapper


def env_name(dotted: str) -> str:
    """The environment variable of a setting: "serve.port" -> SHOPASSIST_SERVE__PORT."""
    return ENV_PREFIX + dotted.replace(".", "__").upper()


def make_settings(**overrides: Any) -> Settings:
    """Environment settings plus CLI flags (only the flags actually given), validated together.

    Keys are dotted setting names ("serve.port", "store_dir"); a value pydantic refuses is a click
    error naming the flag and the setting, before anything starts.
    """
    given = {dotted: value for dotted, value in overrides.items() if value is not None}
    nested: dict[str, Any] = {}
    for dotted, value in given.items():
        group, _, field = dotted.partition(".")
        if field:
            nested.setdefault(group, {})[field] = value
        else:
            nested[group] = value
        log.info("setting %s=%r from the command line", dotted, value)
    try:
        return Settings(**nested)  # pydantic-settings merges these into the environment's groups
    except ValidationError as exc:
        raise settings_error(exc, given) from None


def settings_error(exc: ValidationError, given: dict[str, Any]) -> click.ClickException:
    """A refused setting as a click error: BadParameter (exit 2) for a flag, else one line naming the variable."""
    problems = []
    for error in exc.errors():
        dotted = ".".join(str(part) for part in error["loc"])
        flag = next((name for name in given if dotted == name or dotted.startswith(name + ".")), None)
        if flag is not None:
            ctx = click.get_current_context(silent=True)
            param = _option_for(ctx, flag)
            message = f"setting {flag} ({env_name(flag)}): {error['msg']}, got {given[flag]!r}"
            return click.BadParameter(message, ctx=ctx, param=param,
                                      param_hint=None if param else f"setting {flag!r}")
        problems.append(f"{env_name(dotted)}: {error['msg']}")
    return click.ClickException("invalid settings: " + "; ".join(problems)
                                + "\nhint: fix or unset these environment variables")


def _option_for(ctx: click.Context | None, dotted: str) -> click.Parameter | None:
    """The command's option that feeds this setting (it reads the setting's environment variable too)."""
    if ctx is None:
        return None
    return next((p for p in ctx.command.params if p.envvar == env_name(dotted)), None)


def status(message: str) -> None:
    click.echo(f"· {message}", err=True)
