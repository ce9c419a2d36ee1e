"""`python -m bot run|web|worker|migrate`: parse arguments, build Settings once, call one runner."""

from __future__ import annotations

import argparse
import asyncio
import logging

from bot.cli import COMMANDS, CommandError, add_arguments
from bot.config import Settings


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bot", description="SafeCity hazard-reporting bot")
    add_arguments(parser)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)
    try:
        asyncio.run(COMMANDS[args.command](Settings(), args))
    except CommandError as refusal:
        parser.exit(2, f"error: {refusal}\n")


if __name__ == "__main__":
    main()
