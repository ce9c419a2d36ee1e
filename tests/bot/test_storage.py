"""DirectoryStorage and photo_keys: content-addressed keys, atomic writes, no escaping the root."""

from __future__ import annotations

import asyncio
import hashlib
import os
from pathlib import Path

import pytest

from bot.storage import DirectoryStorage, InvalidKeyError, PhotoStorage, check_key, photo_keys

SHA = hashlib.sha256(b"a photo").hexdigest()


@pytest.fixture
def storage(tmp_path: Path) -> DirectoryStorage:
    return DirectoryStorage(tmp_path / "photos")


class TestPhotoKeys:
    def test_keys_are_sharded_by_the_digest(self) -> None:
        """Photo and thumbnail sit side by side two hex levels down."""
        photo, thumbnail = photo_keys(SHA)
        assert photo == f"{SHA[:2]}/{SHA[2:4]}/{SHA}.jpg"
        assert thumbnail == f"{SHA[:2]}/{SHA[2:4]}/{SHA}.thumb.jpg"
        assert photo != thumbnail

    @pytest.mark.parametrize("digest", ["", "abc", SHA.upper(), SHA[:-1] + "g", "../" + SHA[3:], SHA + "0"])
    def test_anything_but_a_sha256_hex_digest_is_refused(self, digest: str) -> None:
        with pytest.raises(InvalidKeyError):
            photo_keys(digest)


class TestKeys:
    @pytest.mark.parametrize(
        "key",
        [
            *("", "/etc/passwd", "../outside.jpg", "ab/../../outside.jpg", "ab//cd.jpg", "ab/./cd.jpg"),
            *("ab/cd/", "a\\b.jpg", "ab/.hidden.jpg", "ab/cd.jpg\x00", "C:/windows.jpg", "ab/" + "x" * 129),
        ],
    )
    def test_keys_that_could_escape_or_hide_are_refused(self, key: str) -> None:
        with pytest.raises(InvalidKeyError):
            check_key(key)

    def test_plain_keys_are_split_into_segments(self) -> None:
        assert check_key("ab/cd/e_f-1.thumb.jpg") == ("ab", "cd", "e_f-1.thumb.jpg")


class TestDirectoryStorage:
    def test_is_a_photo_storage(self, storage: DirectoryStorage) -> None:
        implementation: PhotoStorage = storage  # checked by mypy; the Protocol is structural
        assert implementation is storage

    async def test_put_then_get_returns_the_bytes(self, storage: DirectoryStorage) -> None:
        photo_key, thumbnail_key = photo_keys(SHA)
        await storage.put(photo_key, b"jpeg bytes")
        await storage.put(thumbnail_key, b"thumb bytes")
        assert await storage.get(photo_key) == b"jpeg bytes"
        assert await storage.get(thumbnail_key) == b"thumb bytes"
        assert (storage.root / SHA[:2] / SHA[2:4] / f"{SHA}.jpg").read_bytes() == b"jpeg bytes"

    async def test_exists_tells_stored_from_missing(self, storage: DirectoryStorage) -> None:
        photo_key, thumbnail_key = photo_keys(SHA)
        await storage.put(photo_key, b"x")
        assert await storage.exists(photo_key)
        assert not await storage.exists(thumbnail_key)
        assert not await storage.exists(SHA[:2])  # a directory is not a stored object

    async def test_get_of_a_missing_key_raises_key_error(self, storage: DirectoryStorage) -> None:
        with pytest.raises(KeyError):
            await storage.get(photo_keys(SHA)[0])

    async def test_put_overwrites_and_leaves_no_temporary_files(self, storage: DirectoryStorage) -> None:
        """A second put replaces the file whole; only the final file is left in the directory."""
        key = photo_keys(SHA)[0]
        await storage.put(key, b"first")
        await storage.put(key, b"second, longer")
        assert await storage.get(key) == b"second, longer"
        assert os.listdir(storage.root / SHA[:2] / SHA[2:4]) == [f"{SHA}.jpg"]

    async def test_concurrent_puts_of_one_key_never_leave_a_mix(self, storage: DirectoryStorage) -> None:
        """Readers see one writer's bytes in full, whichever rename lands last."""
        key = photo_keys(SHA)[0]
        payloads = [bytes([value]) * 200_000 for value in range(8)]
        await asyncio.gather(*(storage.put(key, payload) for payload in payloads))
        assert await storage.get(key) in payloads

    async def test_failed_write_leaves_nothing_behind(self, storage: DirectoryStorage) -> None:
        """If the bytes cannot be written, neither a partial file nor a temp file remains."""
        key = photo_keys(SHA)[0]
        with pytest.raises(TypeError):
            await storage.put(key, "not bytes")  # type: ignore[arg-type]
        assert not await storage.exists(key)
        assert os.listdir(storage.root / SHA[:2] / SHA[2:4]) == []

    @pytest.mark.parametrize("key", ["../escape.jpg", "/tmp/escape.jpg"])
    async def test_bad_keys_never_touch_disk(self, storage: DirectoryStorage, key: str) -> None:
        with pytest.raises(InvalidKeyError):
            await storage.put(key, b"x")
        with pytest.raises(InvalidKeyError):
            await storage.get(key)
        assert not storage.root.exists()
