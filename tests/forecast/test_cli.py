"""The backtest command: argument handling and the exact format of its last line."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from forecast.cli import backtest_command, main
from tests.forecast.helpers import REPO_ROOT, clustered_events, write_events_csv

LAST_LINE = re.compile(r"^hit_rate model=\d\.\d{4} naive=\d\.\d{4} oracle=\d\.\d{4} ratio=\d+\.\d{2} pai=\d+\.\d$")


@pytest.fixture(scope="module")
def events_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_events_csv(tmp_path_factory.mktemp("events") / "city.csv", clustered_events(5, months=18))


@pytest.mark.parametrize(
    "cell_options",
    [[], ["--cell-m", "300"], ["--h3-res", "8"], ["--centre", "41.87,-87.70"]],
)
def test_last_line_has_the_exact_format(
    events_file: Path, cell_options: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    code = backtest_command(["--events", str(events_file), *cell_options, "--top", "10", "--history", "12"])
    lines = capsys.readouterr().out.splitlines()
    assert code == 0
    assert len(lines) == 18 - 12 + 1
    assert LAST_LINE.match(lines[-1]), lines[-1]
    assert lines[0].startswith("2021-01 events=")


def test_weekly_periods(events_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["backtest", "--events", str(events_file), "--period", "week", "--history", "52"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("2020-W53 events=")  # 2020 has 53 ISO weeks; its first began on 2019-12-30
    assert LAST_LINE.match(lines[-1])


def test_cell_options_are_mutually_exclusive(events_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        backtest_command(["--events", str(events_file), "--cell-m", "500", "--h3-res", "8"])
    assert exit_info.value.code == 2
    assert "not allowed with argument" in capsys.readouterr().err


def test_unusable_input_is_an_error_not_a_traceback(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert backtest_command(["--events", str(tmp_path / "missing.csv")]) == 2
    short = tmp_path / "short.csv"
    short.write_text("event_id,occurred_at,lat,lon,category,outcome\na,2020-01-01,41.9,-87.7,x,confirmed\n")
    assert backtest_command(["--events", str(short)]) == 2
    bad_only = tmp_path / "bad.csv"
    bad_only.write_text("event_id,occurred_at,lat,lon,category,outcome\na,2020-01-01,,-87.7,x,confirmed\n")
    assert backtest_command(["--events", str(bad_only)]) == 2
    err = capsys.readouterr().err
    assert "spans no period after the first 12" in err
    assert "skipped 1 row(s): The latitude or longitude is empty." in err


def test_python_dash_m_forecast_runs(events_file: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "forecast", "backtest", "--events", str(events_file), "--top", "10"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert LAST_LINE.match(done.stdout.splitlines()[-1])


def test_the_product_cli_passes_the_backtest_through(events_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`python -m bot forecast backtest ...` is the same command, its last line the summary."""
    from bot.__main__ import main as bot_main

    with pytest.raises(SystemExit) as exit_info:
        bot_main(["forecast", "backtest", "--events", str(events_file), "--top", "10", "--history", "12"])
    assert exit_info.value.code == 0
    assert LAST_LINE.match(capsys.readouterr().out.splitlines()[-1])
