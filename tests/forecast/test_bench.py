"""bench/forecast.py --quick runs (so that the benchmark cannot rot between full runs)."""

from __future__ import annotations

import importlib.util
import re

import pytest

from tests.forecast.helpers import REPO_ROOT, chicago_events_file


@pytest.mark.skipif(chicago_events_file() is None, reason="the shared Chicago events file is not on this machine")
def test_quick_bench_prints_both_ratios(capsys: pytest.CaptureFixture[str]) -> None:
    spec = importlib.util.spec_from_file_location("bench_forecast", REPO_ROOT / "bench" / "forecast.py")
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    assert bench.main(["--quick"]) == 0
    out = capsys.readouterr().out
    assert re.search(r"^chicago hit_rate model=0\.\d{4} naive=0\.\d{4} ", out, re.MULTILINE)
    assert re.search(r"^forecast chicago ratio=\d\.\d\d ", out, re.MULTILINE)
    assert re.search(r"^forecast random ratio=\d\.\d\d ", out, re.MULTILINE)
    assert re.search(r"^wall time \d+\.\d s", out, re.MULTILINE)
