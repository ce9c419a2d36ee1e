"""`python -m bot export` as an operator runs it: officials only, streamed to stdout or a file, audited."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from bot.db import migrate
from tests.e2e.running import product_env


def bot(tmp_path: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=tmp_path,
        env=product_env(tmp_path / "var"),
        input=stdin,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated database for the module (the commands only read it and add audit rows)."""
    tmp_path = tmp_path_factory.mktemp("export-cli")
    database = tmp_path / "var" / "safecity.sqlite3"
    database.parent.mkdir(parents=True)
    asyncio.run(migrate(f"sqlite://{database}"))  # as `python -m bot migrate` does, without a process start
    with sqlite3.connect(database) as db:
        for username, role in (("chen", "official"), ("mei", "moderator")):
            db.execute(
                "INSERT INTO staff_user (username, password_hash, role, display_name, areas, categories, language,"
                " active, created_at) VALUES (?, 'x', ?, ?, '[]', '[]', 'en', 1, '2026-11-01 00:00:00+00:00')",
                (username, role, username),
            )
    with sqlite3.connect(tmp_path / "var" / "safecity.sqlite3") as db:
        for n, (status, category) in enumerate(
            (("accepted", "fire_exit"), ("fixed", "traffic"), ("submitted", "ebike"))
        ):
            db.execute(
                "INSERT INTO report (status, category, lat, lon, location_source, description, language, area, cell,"
                " created_at, updated_at, source) VALUES (?, ?, 31.23, 121.47, 'api', '', 'zh_CN', 'huangpu',"
                " 'huangpu-0402', ?, ?, 'open311')",
                (status, category, f"2026-11-0{n + 1} 00:00:00+00:00", f"2026-11-0{n + 1} 00:00:00+00:00"),
            )
    return tmp_path


def test_an_official_exports_csv_to_stdout_and_it_is_audited(seeded: Path) -> None:
    tmp_path = seeded
    done = bot(tmp_path, "export", "--by", "chen", "--status", "accepted,fixed")
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    assert [(r["number"], r["status"], r["category"], r["source"]) for r in rows] == [
        ("1", "accepted", "fire_exit", "open311"),
        ("2", "fixed", "traffic", "open311"),
    ]
    with sqlite3.connect(tmp_path / "var" / "safecity.sqlite3") as db:
        audited = db.execute("SELECT actor, data FROM audit_event WHERE action = 'export'").fetchall()
    assert any(
        actor.startswith("staff:") and json.loads(data)["statuses"] == ["accepted", "fixed"] for actor, data in audited
    )


def test_geojson_into_a_file(seeded: Path, tmp_path: Path) -> None:
    out = tmp_path / "reports.geojson"
    done = bot(seeded, "export", "--by", "chen", "--format", "geojson", "--category", "traffic", "--output", str(out))
    assert done.returncode == 0, done.stderr
    collection = json.loads(out.read_text(encoding="utf-8"))
    assert [f["properties"]["number"] for f in collection["features"]] == [2]


def test_only_officials_may_export(seeded: Path) -> None:
    tmp_path = seeded
    for who in ("mei", "nobody"):
        refused = bot(tmp_path, "export", "--by", who)
        assert refused.returncode == 2 and "is not an active official or admin" in refused.stderr
        assert refused.stdout == "" and "Traceback" not in refused.stderr
    bad_date = bot(tmp_path, "export", "--by", "chen", "--from", "1/11/2026")
    assert bad_date.returncode == 2 and "YYYY-MM-DD" in bad_date.stderr
