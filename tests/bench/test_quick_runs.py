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
    "broadcast.py": [
        # Every recipient once, no chat over Telegram's limits: what must hold on any machine.
        r"^broadcast bulk_per_s=\d+\.\d\d ratio=\d\.\d{3} dm_p95_s=\d+\.\d\d reply_p95_ms=\d+ "
        r"max_chat_per_s=\d+ chat_429=0 lost=0 doubled=0$",
        r"^status DMs during the broadcast: 6 of 6",
    ],
    "incident_import.py": [
        r"^incident_import first rows=5000 seconds=\d+\.\d rows_per_s=",
        r"^incident_import again rows=5000 .* added=0 ",
        r"^incident_import seconds_per_million=\d+\.\d ",
    ],
    "login.py": [
        r"^login burst: 8 parallel logins \(8 logged in\) took \d+\.\d s$",
        r"^login burst: /healthz p95 \d+\.\d ms during the burst \(idle \d+\.\d ms\)",
    ],
    "map.py": [
        r"^seeded 20,000 reports in \d+\.\d s$",
        r"^map viewport: p50 \d+\.\d ms, p95 \d+\.\d ms at 20,000 reports over 30 viewports ",
    ],
    "webhook.py": [
        r"^webhook updates_per_s=\d+ p95_ms=\d+ bulk_per_s=\d+\.\d max_chat_per_s=\d+ lost=0 doubled=0\n?\Z"
    ],  # the last line
    "export.py": [
        r"^export csv rows=20000 seconds=\d+\.\d rows_per_s=[\d,]+$",
        r"^memory rss_before=\d+MB 10%=\d+MB 50%=\d+MB 100%=\d+MB peak=\d+MB target<200MB ",
    ],
    "photo_intake.py": [
        rf"^photo_intake \(CPU, best of 1\): .* ratio {NUMBER}x",
        rf"^intake step \(getFile \+ download \+ add_photo to the stored row\): mean {NUMBER} ms",
    ],
}


def test_every_bench_is_listed() -> None:
    """The glob sees the benches (a moved bench/ directory would otherwise make this module test nothing)."""
    assert {"nearby.py", "photo_intake.py", "reward_evaluation.py", "queue_page.py"} <= set(BENCHES)


@pytest.mark.timeout(300)
@pytest.mark.usefixtures("handed_over_template")
@pytest.mark.parametrize("name", BENCHES)
def test_quick_run_prints_its_figure(name: str) -> None:
    """`python bench/NAME --quick` exits 0 and prints its figure line(s)."""
    if name == "forecast.py" and chicago_events_file() is None:
        pytest.skip("the shared Chicago events file is not on this machine")
    run = subprocess.run(
        [sys.executable, f"bench/{name}", "--quick"], cwd=REPO_ROOT, capture_output=True, text=True, timeout=280
    )
    assert run.returncode == 0, run.stderr[-3000:]
    assert re.search(r"\d", run.stdout), run.stdout
    for pattern in FIGURE_LINES.get(name, []):
        assert re.search(pattern, run.stdout, re.MULTILINE), (pattern, run.stdout)
