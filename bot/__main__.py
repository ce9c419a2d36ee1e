"""`python -m bot run|web|worker|migrate`: parse arguments, build Settings once, call one runner."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys

from pydantic import ValidationError

from bot.cli import add_arguments, runner
from bot.config import Settings
from bot.features import CommandError
from bot.logs import configure_logging
from bot.private_files import UMASK, secure_var_dir

#: Commands served by a library rather than by the product's processes: their arguments pass through unchanged.
LIBRARY_COMMANDS = {"forecast"}


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    if args and args[0] in LIBRARY_COMMANDS:
        from forecast.cli import main as forecast_main  # `python -m bot forecast backtest ...` (no database)

        raise SystemExit(forecast_main(args[1:]))
    parser = argparse.ArgumentParser(prog="python -m bot", description="SafeCity hazard-reporting bot")
    add_arguments(parser)
    options = parser.parse_args(args)
    configure_logging()
    try:
        settings = Settings()
    except ValidationError as refusal:  # an unsafe or unreadable setting: one line for the operator, no traceback
        parser.exit(2, f"error: {settings_problem(refusal)}\n")
    os.umask(UMASK)  # whatever the product writes (SQLite and its WAL, photos, Redis' dump) is the owner's only
    secure_var_dir(settings.var_dir)
    try:
        asyncio.run(runner(options.command)(settings, options))
    except CommandError as refusal:
        parser.exit(2, f"error: {refusal}\n")


def settings_problem(error: ValidationError) -> str:
    """Pydantic's multi-line report as one line: each problem's message, prefixed by its variable."""
    problems = []
    for item in error.errors():
        message = str(item["msg"]).removeprefix("Value error, ")
        names = [str(part).upper() for part in item["loc"]]
        problems.append(f"{'.'.join(names)}: {message}" if names else message)
    return "; ".join(problems)


if __name__ == "__main__":
    main()
