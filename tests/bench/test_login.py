"""bench/login.py --quick runs (so that the benchmark cannot rot between full runs).

Only what must hold on any machine is asserted: every login got in and the figures are printed; the
latency itself is a figure (the target is the full run's, on a quiet machine), not a test outcome.
"""

from __future__ import annotations

import re

import pytest

from bench import login as bench


def test_quick_bench_prints_the_latency_during_a_login_burst(capsys: pytest.CaptureFixture[str]) -> None:
    assert bench.main(["--quick"]) == 0
    out = capsys.readouterr().out
    assert re.search(r"^login burst: 8 parallel logins \(8 logged in\) took \d+\.\d s$", out, re.MULTILINE)
    assert re.search(r"^login burst: /healthz p95 \d+\.\d ms during the burst \(idle \d+\.\d ms\)", out, re.MULTILINE)
