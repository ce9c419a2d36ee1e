"""`python -m bot export ...` (a command-line transport): reports as CSV or GeoJSON on stdout (or into a file),
streamed, audited.

Officials only, like the admin's export: `--by` names the official's staff account the export is recorded under.
"""

from __future__ import annotations

import argparse
import sys
from contextlib import nullcontext
from datetime import datetime
from pathlib import Path
from typing import IO, Any
from zoneinfo import ZoneInfo

from bot.admin.accounts import Role, has_role
from bot.admin.audit import EventTag, record
from bot.admin.models import StaffUser
from bot.config import Settings
from bot.features import CliCommand, CommandError
from bot.reports.lifecycle import staff_actor
from opendata.exports import ExportFilter, csv_chunks, geojson_chunks


def arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--by", required=True, help="the official's staff username the export is audited under")
    parser.add_argument("--format", choices=["csv", "geojson"], default="csv")
    parser.add_argument("--from", dest="filed_from", default="", help="filed on or after this local day (YYYY-MM-DD)")
    parser.add_argument("--to", dest="filed_to", default="", help="filed before this local day (YYYY-MM-DD)")
    for name in ("status", "category", "area", "agency"):
        parser.add_argument(f"--{name}", default="", help=f"comma-separated {name} keys; empty = all")
    parser.add_argument("--output", type=Path, default=None, help="write here instead of stdout")


def _split(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split(",") if part.strip())


def _day(text: str, zone: ZoneInfo) -> datetime | None:
    try:
        return datetime.strptime(text, "%Y-%m-%d").replace(tzinfo=zone) if text else None
    except ValueError:
        raise CommandError(f"dates are written YYYY-MM-DD, not {text!r}") from None


def export_filter(args: argparse.Namespace, zone: ZoneInfo) -> ExportFilter:
    return ExportFilter(
        filed_from=_day(args.filed_from, zone),
        filed_to=_day(args.filed_to, zone),
        statuses=_split(args.status),
        categories=_split(args.category),
        areas=_split(args.area),
        agencies=_split(args.agency),
    )


async def run_export(settings: Settings, args: argparse.Namespace, *, out: IO[str] | None = None) -> None:
    """The export, the ORM being open (the kernel's CLI opens it); CommandError for an operator's mistake."""
    zone = ZoneInfo(settings.local_timezone)
    chosen = export_filter(args, zone)
    staff = await StaffUser.get_or_none(username=args.by, active=True)
    if staff is None or not has_role(staff, Role.OFFICIAL):
        raise CommandError(f"{args.by!r} is not an active official or admin")
    now = datetime.now(zone)
    await record(staff_actor(staff.id), EventTag.EXPORT, now=now, format=args.format, via="cli", **chosen.described())
    chunks = csv_chunks if args.format == "csv" else geojson_chunks
    opened: Any = args.output.open("w", encoding="utf-8", newline="") if args.output else nullcontext(out or sys.stdout)
    with opened as stream:
        async for chunk in chunks(chosen, zone):
            stream.write(chunk)


EXPORT = CliCommand("export", "reports as CSV or GeoJSON (officials only, audited)", arguments, run_export)
