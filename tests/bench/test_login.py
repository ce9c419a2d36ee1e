"""bench/login.py --quick runs (so that the benchmark cannot rot between full runs)."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench" / "login.py"


def test_quick_bench_prints_the_latency_during_a_login_burst(capsys: pytest.CaptureFixture[str]) -> None:
    spec = importlib.util.spec_from_file_location("bench_login", BENCH)
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    assert bench.main(["--quick"]) == 0
    out = capsys.readouterr().out
    assert re.search(r"^login burst: 8 parallel logins \(8 logged in\) took \d+\.\d s$", out, re.MULTILINE)
    assert re.search(r"^login burst: /healthz p95 \d+\.\d ms during the burst \(idle \d+\.\d ms\)", out, re.MULTILINE)
