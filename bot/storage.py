"""Photo storage behind a small interface; a directory by default (an S3-compatible one can come later)."""

from __future__ import annotations

import asyncio
import os
import tempfile
from pathlib import Path, PurePosixPath
from typing import Protocol


class PhotoStorage(Protocol):
    async def put(self, key: str, data: bytes) -> None: ...
    async def get(self, key: str) -> bytes: ...
    async def exists(self, key: str) -> bool: ...


def photo_keys(sha256: str) -> tuple[str, str]:
    """Content-addressed keys (photo, thumbnail), fanned out so no directory grows huge."""
    return f"{sha256[:2]}/{sha256[2:4]}/{sha256}.jpg", f"{sha256[:2]}/{sha256[2:4]}/{sha256}.thumb.jpg"


class DirectoryStorage:
    """Files under `root`; writes are atomic (temp file + rename) so readers never see half a photo."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        pure = PurePosixPath(key)
        if pure.is_absolute() or ".." in pure.parts or not key:
            raise ValueError(f"invalid storage key {key!r}")
        return self.root.joinpath(*pure.parts)

    async def put(self, key: str, data: bytes) -> None:
        await asyncio.to_thread(self._write, self._path(key), data)

    async def get(self, key: str) -> bytes:
        return await asyncio.to_thread(self._path(key).read_bytes)

    async def exists(self, key: str) -> bool:
        return await asyncio.to_thread(self._path(key).exists)

    @staticmethod
    def _write(path: Path, data: bytes) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temp_name = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        try:
            with os.fdopen(handle, "wb") as temp:
                temp.write(data)
            os.replace(temp_name, path)
        except BaseException:
            os.unlink(temp_name)
            raise
