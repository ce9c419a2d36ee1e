"""Where photo bytes live: a small async key/value interface and its on-disk implementation.

Keys are relative, slash-separated paths made of plain segments (`ab/cd/<sha256>.jpg`); this module
owns their shape (`photo_keys`) and refuses any key that could step outside the storage root.
Stored files are content-addressed, so writing a key twice writes the same bytes and is harmless.
"""

from __future__ import annotations

import asyncio
import os
import re
import tempfile
from pathlib import Path
from typing import Protocol

from bot.private_files import private_dir

#: One key segment: starts with a letter or digit (so never "." / ".." and never a hidden file,
#: which keeps DirectoryStorage's ".tmp" files out of the key space), then letters, digits, . _ -
_SEGMENT_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")
_SHA256_RE = re.compile(r"[0-9a-f]{64}")


class InvalidKeyError(ValueError):
    """The key is empty, absolute, or has a segment such as '..' that could escape the root."""


class PhotoStorage(Protocol):
    """Byte storage for photos and thumbnails; `get` raises KeyError for a key never put."""

    async def put(self, key: str, data: bytes) -> None: ...

    async def get(self, key: str) -> bytes: ...

    async def exists(self, key: str) -> bool: ...


def photo_keys(content_sha256: str) -> tuple[str, str]:
    """(photo key, thumbnail key) for a SHA-256 hex digest, sharded two levels deep.

    Intake passes the digest of the bytes the resident sent: the pipeline is deterministic, so the same
    upload always yields the same stored files. The two hex levels keep directories to ~256 entries.
    """
    digest = content_sha256
    if _SHA256_RE.fullmatch(digest) is None:
        raise InvalidKeyError(f"not a lowercase SHA-256 hex digest: {digest!r}")
    prefix = f"{digest[:2]}/{digest[2:4]}/{digest}"
    return f"{prefix}.jpg", f"{prefix}.thumb.jpg"


def check_key(key: str) -> tuple[str, ...]:
    """Split a key into its segments, or raise InvalidKeyError."""
    segments = tuple(key.split("/"))
    if not key or any(_SEGMENT_RE.fullmatch(segment) is None for segment in segments):
        raise InvalidKeyError(f"invalid storage key: {key!r}")
    return segments


class DirectoryStorage:
    """PhotoStorage over a local directory; blocking file I/O runs in worker threads."""

    def __init__(self, root: Path) -> None:
        self.root = root

    async def put(self, key: str, data: bytes) -> None:
        await asyncio.to_thread(_write_atomically, self._path(key), data)

    async def get(self, key: str) -> bytes:
        try:
            return await asyncio.to_thread(self._path(key).read_bytes)
        except FileNotFoundError:
            raise KeyError(key) from None

    async def exists(self, key: str) -> bool:
        return await asyncio.to_thread(self._path(key).is_file)

    def _path(self, key: str) -> Path:
        return self.root.joinpath(*check_key(key))


def _write_atomically(path: Path, data: bytes) -> None:
    """Write via a temporary file in the same directory and os.replace it into place.

    Readers see the old file or the whole new one, never a partial write, even if the process dies.
    """
    private_dir(path.parent)  # photos are personal data: 0700 folders, and mkstemp makes 0600 files
    descriptor, temp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "wb") as temp_file:
            temp_file.write(data)
            temp_file.flush()
            os.fsync(temp_file.fileno())  # the bytes must be on disk before the name points at them
        os.replace(temp_name, path)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
