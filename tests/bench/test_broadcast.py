"""bench/broadcast.py --quick runs (so that the benchmark cannot rot between full runs).

Only what must hold on any machine is asserted: every recipient got the broadcast exactly once and no
chat went over Telegram's limits; the rates and delays it prints are figures, not test outcomes.
"""

from __future__ import annotations

import re

import pytest

from bench import broadcast as bench

SUMMARY = re.compile(
    r"^broadcast bulk_per_s=(?P<bulk>\d+\.\d\d) ratio=\d\.\d{3} dm_p95_s=\d+\.\d\d reply_p95_ms=\d+ "
    r"max_chat_per_s=\d+ chat_429=(?P<chat_429>\d+) lost=(?P<lost>\d+) doubled=(?P<doubled>\d+)$"
)


def test_quick_bench_delivers_once_each_within_the_limits(capsys: pytest.CaptureFixture[str]) -> None:
    assert bench.main(["--quick"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    match = SUMMARY.match(lines[-1])
    assert match is not None, lines
    assert (match["lost"], match["doubled"], match["chat_429"]) == ("0", "0", "0")
    assert float(match["bulk"]) > 0
    assert any(line.startswith("status DMs during the broadcast: 6 of 6") for line in lines), lines
