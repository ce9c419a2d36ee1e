"""bench/webhook.py --quick runs as `make bench` runs it (its own process, from the repository root) and ends
with its figure line, so that the benchmark cannot rot between full runs."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
FIGURE_LINE = r"^webhook updates_per_s=\d+ p95_ms=\d+ bulk_per_s=\d+\.\d max_chat_per_s=\d+ lost=0 doubled=0$"


@pytest.mark.timeout(300)
def test_quick_run_ends_with_its_figure_line() -> None:
    run = subprocess.run(
        [sys.executable, "bench/webhook.py", "--quick"], cwd=REPO_ROOT, capture_output=True, text=True, timeout=280
    )
    assert run.returncode == 0, run.stderr[-3000:]
    assert re.match(FIGURE_LINE, run.stdout.strip().splitlines()[-1]), run.stdout
