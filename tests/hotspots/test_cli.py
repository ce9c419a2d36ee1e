"""`python -m bot events import FILE` as an operator runs it: bad lines printed, a summary, twice adds nothing."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.e2e.running import product_env

EVENTS = """\
event_id,occurred_at,lat,lon,category,outcome,severity
a1,2026-11-01T08:00:00,31.2304,121.4737,fire,confirmed,2
a2,2026-11-02,,121.4737,fire,confirmed,
a3,2026-11-02,31.2304,121.4737,fire,confirmed,
a3,2026-11-03,31.2304,121.4737,fire,confirmed,
a4,2026-11-03,31.2304,181.5,fire,confirmed,
a5,2026-11-04,31.2304,121.4737,fire,open,
"""


def bot_command(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=tmp_path,
        env=product_env(tmp_path / "var"),
        capture_output=True,
        text=True,
        check=False,
    )


def test_an_import_names_each_bad_line_and_a_second_one_adds_nothing(tmp_path: Path) -> None:
    events = tmp_path / "brigade.csv"
    events.write_text(EVENTS, encoding="utf-8")
    assert bot_command(tmp_path, "migrate").returncode == 0
    first = bot_command(tmp_path, "events", "import", str(events))
    assert first.returncode == 0, first.stderr
    lines = first.stdout.splitlines()
    assert lines[:3] == [
        "line 3: The latitude or longitude is empty. (',121.4737')",
        "line 5: This event_id already appeared earlier in the file. ('a3')",
        "line 6: The longitude is outside -180..180. ('31.2304,181.5')",
    ]
    assert lines[-1].startswith("imported brigade.csv: 3 added, 0 already there, 3 bad rows skipped")
    again = bot_command(tmp_path, "events", "import", str(events))
    assert again.stdout.splitlines()[-1].startswith("imported brigade.csv: 0 added, 3 already there, 3 bad rows")


def test_a_missing_file_is_one_line_and_exit_status_2(tmp_path: Path) -> None:
    missing = bot_command(tmp_path, "events", "import", str(tmp_path / "nope.csv"))
    assert missing.returncode == 2 and "nope.csv: no such file" in missing.stderr
    assert "Traceback" not in missing.stderr
