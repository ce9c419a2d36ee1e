"""Every bench/*.py runs in its `--quick` mode and prints its figure, so that no benchmark rots between full runs.

Each bench runs as `make bench` runs it: its own process, from the repository root. A bench added
to bench/ is picked up without touching this file; the figure lines below pin the format of the ones
whose figure is quoted in issues and reports.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.forecast.helpers import chicago_events_file

REPO_ROOT = Path(__file__).resolve().parents[2]
BENCHES = sorted(path.name for path in (REPO_ROOT / "bench").glob("[a-z]*.py"))
NUMBER = r"\d[\d,]*(?:\.\d+)?"
FIGURE_LINES = {
    "forecast.py": [
        r"^chicago hit_rate model=0\.\d{4} naive=0\.\d{4} ",
        r"^forecast chicago ratio=\d\.\d\d ",
        r"^forecast random ratio=\d\.\d\d ",
    ],
    "nearby.py": [rf"^nearby: p50 {NUMBER} ms, p95 {NUMBER} ms at {NUMBER} reports"],
    "queue_page.py": [rf"^queue page: p50 {NUMBER} ms, p95 {NUMBER} ms at {NUMBER} reports"],
    "photo_match.py": [
        rf"^photo match: p50 {NUMBER} ms, p95 {NUMBER} ms at {NUMBER} reports",
        rf"^duplicate check \(check_draft, all of it\): p50 {NUMBER} ms, p95 {NUMBER} ms",
    ],
    "reward_evaluation.py": [
        rf"^reward decision: mean {NUMBER} ms, p50 {NUMBER} ms, p95 {NUMBER} ms at {NUMBER} archived photos",
        r"^outcomes: granted \d+, held \d+",  # both paths timed: booked grants and held ones
    ],
    "photo_intake.py": [
        rf"^photo_intake \(CPU, best of 1\): .* ratio {NUMBER}x",
        rf"^intake step \(getFile \+ download \+ add_photo to the stored row\): mean {NUMBER} ms",
    ],
}
#: Benches whose owner is still giving them a quick mode; run as soon as their source mentions --quick.
QUICK_MODE_PENDING = {"broadcast.py"}


def test_every_bench_is_listed() -> None:
    """The glob sees the benches (a moved bench/ directory would otherwise make this module test nothing)."""
    assert {"nearby.py", "photo_intake.py", "reward_evaluation.py", "queue_page.py"} <= set(BENCHES)


@pytest.mark.timeout(300)
@pytest.mark.parametrize("name", BENCHES)
def test_quick_run_prints_its_figure(name: str) -> None:
    """`python bench/NAME --quick` exits 0 and prints its figure line(s)."""
    if name in QUICK_MODE_PENDING and "--quick" not in (REPO_ROOT / "bench" / name).read_text():
        pytest.xfail(f"bench/{name} has no --quick mode yet")
    if name == "forecast.py" and chicago_events_file() is None:
        pytest.skip("the shared Chicago events file is not on this machine")
    run = subprocess.run(
        [sys.executable, f"bench/{name}", "--quick"], cwd=REPO_ROOT, capture_output=True, text=True, timeout=280
    )
    assert run.returncode == 0, run.stderr[-3000:]
    assert re.search(r"\d", run.stdout), run.stdout
    for pattern in FIGURE_LINES.get(name, []):
        assert re.search(pattern, run.stdout, re.MULTILINE), (pattern, run.stdout)
