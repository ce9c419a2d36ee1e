"""Files under VAR_DIR hold personal data and secrets: owner-only modes, and keys created atomically.

Everything the product writes there (the SQLite database and its WAL, photos including redacted
originals, the sandbox's transcript and files, the sandbox admin's password, key files) is 0600 in
0700 folders: `python -m bot` sets the process umask to 077 and `secure_var_dir` closes the folder
itself (and, the first time it finds it open, everything already in it). The helpers below set the
modes explicitly as well, so code run another way (tests, an embedding) writes nothing readable.

A key created at start-up must be the same in every process that starts together on a fresh data
directory (the web process and the worker): `read_or_create` writes a private temporary file and
hard-links it into place, so the first link wins and every loser reads the winner's key.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
from collections.abc import Callable
from pathlib import Path

FILE_MODE = 0o600
DIR_MODE = 0o700
UMASK = 0o077


def private_dir(path: Path) -> Path:
    """Create `path` (and missing parents) as 0700 folders; an existing one is left as it is."""
    missing = [parent for parent in (path, *path.parents) if not parent.exists()]
    for folder in reversed(missing):
        with contextlib.suppress(FileExistsError):  # another process made it meanwhile
            folder.mkdir(mode=DIR_MODE)
        folder.chmod(DIR_MODE)  # mkdir's mode is masked by the umask
    return path


def secure_var_dir(var_dir: Path) -> None:
    """Make VAR_DIR 0700; if it was open to others, also tighten everything already inside it (once)."""
    private_dir(var_dir)
    if stat.S_IMODE(var_dir.stat().st_mode) & 0o077:
        for root, folders, files in os.walk(var_dir):
            for name in folders:
                Path(root, name).chmod(DIR_MODE)
            for name in files:
                with contextlib.suppress(FileNotFoundError):  # e.g. a SQLite journal that just went away
                    Path(root, name).chmod(FILE_MODE)
        var_dir.chmod(DIR_MODE)


def _write_new(path: Path, data: bytes) -> None:
    """Write a file that must not exist yet, 0600 from its first byte, and flush it to disk."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def _temporary_name(path: Path) -> Path:
    return path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")


def write_private(path: Path, data: bytes) -> None:
    """Replace `path` atomically with `data`, 0600 (readers see the old file or the whole new one)."""
    private_dir(path.parent)
    draft = _temporary_name(path)
    try:
        _write_new(draft, data)
        os.replace(draft, path)
    except BaseException:
        draft.unlink(missing_ok=True)
        raise


def read_or_create(path: Path, make: Callable[[], bytes]) -> bytes:
    """The file's content; made by `make` and stored 0600 if missing, the first of racing processes winning."""
    if not path.exists():
        private_dir(path.parent)
        draft = _temporary_name(path)
        try:
            _write_new(draft, make())
            with contextlib.suppress(FileExistsError):  # link, not rename: an existing key is never replaced
                os.link(draft, path)
        finally:
            draft.unlink(missing_ok=True)
    return path.read_bytes()
