"""Owner-only files under VAR_DIR, and keys that racing processes create once."""

from __future__ import annotations

import multiprocessing
import stat
from multiprocessing.synchronize import Barrier
from pathlib import Path

from bot.admin.security import session_key
from bot.config import Settings
from bot.private_files import read_or_create, secure_var_dir, write_private
from rewards.crypto import rewards_key

TRIALS = 25


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def start_up(var_dirs: list[Path], barrier: Barrier, results: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    """What a web process or a worker does first on a fresh data directory: read (or make) both keys."""
    keys = []
    for var_dir in var_dirs:
        settings = Settings(_env_file=None, var_dir=var_dir)
        barrier.wait()  # both processes reach the empty directory at the same moment
        keys.append((session_key(settings), rewards_key(settings)))
    results.put(keys)


def test_two_processes_starting_together_end_with_the_same_keys(tmp_path: Path) -> None:
    context = multiprocessing.get_context("spawn")
    var_dirs = [tmp_path / f"fresh-{trial}" / "var" for trial in range(TRIALS)]
    barrier, results = context.Barrier(2), context.Queue()
    processes = [context.Process(target=start_up, args=(var_dirs, barrier, results)) for _ in range(2)]
    for process in processes:
        process.start()
    first, second = results.get(timeout=60), results.get(timeout=60)
    for process in processes:
        process.join(timeout=10)
    assert first == second and len(first) == TRIALS
    assert len({session for session, _ in first}) == TRIALS  # every directory got its own, random key
    on_disk = [
        ((d / "admin_secret.key").read_bytes().strip(), (d / "rewards_secret.key").read_bytes().strip())
        for d in var_dirs
    ]
    assert on_disk == first
    assert not [p for d in var_dirs for p in d.iterdir() if p.name.startswith(".")]  # no draft left behind


def test_a_created_key_is_owner_only_in_an_owner_only_folder(tmp_path: Path) -> None:
    key = read_or_create(tmp_path / "a" / "b" / "secret.key", lambda: b"k1")
    assert key == b"k1" and read_or_create(tmp_path / "a" / "b" / "secret.key", lambda: b"k2") == b"k1"
    assert mode(tmp_path / "a" / "b" / "secret.key") == 0o600
    assert mode(tmp_path / "a") == 0o700 and mode(tmp_path / "a" / "b") == 0o700


def test_a_private_write_replaces_the_file_owner_only(tmp_path: Path) -> None:
    target = tmp_path / "state.json"
    target.write_text("old")
    target.chmod(0o644)
    write_private(target, b"new")
    assert target.read_bytes() == b"new" and mode(target) == 0o600


def test_an_open_var_dir_is_closed_with_everything_in_it(tmp_path: Path) -> None:
    """A data directory from before (0755 folders, 0644 files) is tightened at the next start."""
    var_dir = tmp_path / "var"
    (var_dir / "photos" / "ab").mkdir(parents=True)
    (var_dir / "photos" / "ab" / "x.jpg").write_bytes(b"jpeg")
    (var_dir / "safecity.sqlite3").write_bytes(b"")
    for path in (var_dir, var_dir / "photos", var_dir / "photos" / "ab"):
        path.chmod(0o755)
    for path in (var_dir / "photos" / "ab" / "x.jpg", var_dir / "safecity.sqlite3"):
        path.chmod(0o644)
    secure_var_dir(var_dir)
    assert [mode(p) for p in (var_dir, var_dir / "photos", var_dir / "photos" / "ab")] == [0o700] * 3
    assert mode(var_dir / "photos" / "ab" / "x.jpg") == 0o600 and mode(var_dir / "safecity.sqlite3") == 0o600
