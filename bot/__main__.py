"""`python -m bot run|web|worker|migrate`: parse arguments, build Settings once, call one runner."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys

from bot.cli import CommandError, add_arguments, runner_of
from bot.config import Settings

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
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)
    try:
        asyncio.run(runner_of(options)(Settings(), options))
    except CommandError as refusal:
        parser.exit(2, f"error: {refusal}\n")


if __name__ == "__main__":
    main()
