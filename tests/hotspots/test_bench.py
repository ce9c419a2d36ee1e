"""bench/incident_import.py --quick runs (so that the benchmark cannot rot between full runs)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]


def test_quick_bench_imports_twice_and_prints_its_figures() -> None:
    done = subprocess.run(
        [sys.executable, str(REPO_ROOT / "bench" / "incident_import.py"), "--quick"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert re.search(r"^incident_import first rows=5000 seconds=\d+\.\d rows_per_s=", done.stdout, re.MULTILINE)
    assert re.search(r"^incident_import again rows=5000 .* added=0 ", done.stdout, re.MULTILINE)
    assert re.search(r"^incident_import seconds_per_million=\d+\.\d ", done.stdout, re.MULTILINE)
