"""bench/export.py --quick runs (so that the benchmark cannot rot between full runs) and prints its figures."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]


def test_quick_export_bench_prints_rate_and_memory(capsys: pytest.CaptureFixture[str]) -> None:
    spec = importlib.util.spec_from_file_location("bench_export", REPO_ROOT / "bench" / "export.py")
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    assert bench.main(["--quick"]) == 0
    out = capsys.readouterr().out
    assert re.search(r"^export csv rows=20000 seconds=\d+\.\d rows_per_s=[\d,]+$", out, re.MULTILINE)
    assert re.search(
        r"^memory rss_before=\d+MB 10%=\d+MB 50%=\d+MB 100%=\d+MB peak=\d+MB target<200MB ", out, re.MULTILINE
    )
