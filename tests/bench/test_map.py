"""bench/map.py --quick runs through the real web process (so that the benchmark cannot rot between full runs)."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]


def test_quick_bench_prints_the_viewport_latency(capsys: pytest.CaptureFixture[str]) -> None:
    spec = importlib.util.spec_from_file_location("bench_map", REPO_ROOT / "bench" / "map.py")
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    assert bench.main(["--quick"]) == 0
    out = capsys.readouterr().out
    assert re.search(r"^seeded 20,000 reports in \d+\.\d s$", out, re.MULTILINE)
    assert re.search(r"^map viewport: p50 \d+\.\d ms, p95 \d+\.\d ms at 20,000 reports over 30 viewports ", out, re.M)
