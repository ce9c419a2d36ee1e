"""Command line: `python -m forecast backtest --events FILE [--cell-m 500 | --h3-res 8] --top 50 ...`.

`backtest_command` takes the arguments after `backtest`, so that `python -m bot forecast backtest ...` can
hand them on unchanged. It prints one line per evaluated period, then, last, the summary line
`hit_rate model=0.xxxx naive=0.xxxx oracle=0.xxxx ratio=x.xx pai=xx.x`. Skipped rows are counted on stderr.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from forecast.backtest import Period, run_backtest, square_grid_for
from forecast.cells import Grid, H3Grid, SquareGrid
from forecast.events import REASON_TEXT, EventArrays, EventsFileError, load_event_arrays

DEFAULT_CELL_M = 500.0


def _centre(text: str) -> tuple[float, float]:
    try:
        lat_text, lon_text = text.split(",")
        return float(lat_text), float(lon_text)
    except ValueError as error:
        raise argparse.ArgumentTypeError("expected LAT,LON in degrees, e.g. 41.88,-87.63") from error


def backtest_parser(prog: str = "forecast backtest") -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=prog, description="Rolling-origin backtest of the hotspot forecast.")
    parser.add_argument("--events", type=Path, required=True, help="events CSV (plain or .gz)")
    cells = parser.add_mutually_exclusive_group()
    cells.add_argument("--cell-m", type=float, help=f"square cells of this side in metres (default {DEFAULT_CELL_M:g})")
    cells.add_argument("--h3-res", type=int, help="H3 hexagons at this resolution (8: about 0.74 km²)")
    parser.add_argument(
        "--centre",
        type=_centre,
        help="LAT,LON the square grid is centred on (default: the middle of the history periods' events)",
    )
    parser.add_argument("--top", type=int, default=50, help="cells to inspect per period (default 50)")
    parser.add_argument("--period", choices=[p.value for p in Period], default=Period.MONTH.value)
    parser.add_argument("--history", type=int, default=12, help="first periods used only as history (default 12)")
    parser.add_argument(
        "--validation", type=int, default=12, help="periods before each origin the parameters are chosen on"
    )
    return parser


def _grid(options: argparse.Namespace, events: EventArrays, period: Period) -> Grid:
    if options.h3_res is not None:
        return H3Grid(options.h3_res)
    cell_m = options.cell_m if options.cell_m is not None else DEFAULT_CELL_M
    if options.centre is not None:
        return SquareGrid(cell_m, *options.centre)
    return square_grid_for(events, cell_m, period, options.history)


def _say(line: str, *, error: bool = False) -> None:
    """One line of output (the command's output is its product, so it is written, not logged)."""
    (sys.stderr if error else sys.stdout).write(line + "\n")


def _report_bad_rows(events: EventArrays) -> None:
    for reason, count in sorted(Counter(row.reason for row in events.bad_rows).items()):
        _say(f"skipped {count} row(s): {REASON_TEXT[reason]}", error=True)


def backtest_command(argv: Sequence[str] | None = None) -> int:
    """Run the backtest; 0 on success, 2 on unusable input (argparse exits with 2 on bad options too)."""
    options = backtest_parser().parse_args(argv)
    period = Period(options.period)
    try:
        events = load_event_arrays(options.events)
    except (OSError, EventsFileError) as error:
        _say(f"error: {options.events}: {error}", error=True)
        return 2
    _report_bad_rows(events)
    if len(events) == 0 or options.top < 1 or options.history < 1:
        _say("error: nothing to backtest (no valid events, or --top / --history below 1)", error=True)
        return 2
    try:
        result = run_backtest(
            events,
            _grid(options, events, period),
            period=period,
            history=options.history,
            top=options.top,
            validation_periods=options.validation,
        )
    except ValueError as error:
        _say(f"error: {error}", error=True)
        return 2
    if not result.periods:
        _say(f"error: the file spans no period after the first {options.history}", error=True)
        return 2
    for period_result in result.periods:
        _say(period_result.line())
    _say(result.summary_line())
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """`forecast <command> ...`; the only command so far is `backtest`."""
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] != "backtest":
        _say("usage: python -m forecast backtest --events FILE [options] (see backtest --help)", error=True)
        return 2
    return backtest_command(args[1:])
