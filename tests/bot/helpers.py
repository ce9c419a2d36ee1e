"""Small builders shared by the bot tests."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from io import BytesIO
from typing import Any

from PIL import Image

from tests.fake_user import FakeUser


def jpeg_bytes(color: tuple[int, int, int] = (200, 40, 40), size: tuple[int, int] = (640, 480)) -> bytes:
    buffer = BytesIO()
    Image.new("RGB", size, color).save(buffer, "JPEG")
    return buffer.getvalue()


def noisy_jpeg(seed: int, size: tuple[int, int] = (320, 240)) -> bytes:
    """A photo with real texture (so perceptual hashes differ between seeds)."""
    import numpy as np

    pixels = np.random.default_rng(seed).integers(0, 255, (size[1] // 8, size[0] // 8, 3), dtype=np.uint8)
    buffer = BytesIO()
    Image.fromarray(pixels).resize(size, Image.Resampling.BICUBIC).save(buffer, "JPEG")
    return buffer.getvalue()


def command_update(update_id: int, chat_id: int, command: str = "/start", first_name: str = "Lin") -> dict[str, Any]:
    """A private-chat command as Telegram posts it (with its update id)."""
    return {
        "update_id": update_id,
        "message": {
            "message_id": 1,
            "date": 0,
            "chat": {"id": chat_id, "type": "private"},
            "from": {"id": chat_id, "is_bot": False, "first_name": first_name, "language_code": "en"},
            "text": command,
            "entities": [{"type": "bot_command", "offset": 0, "length": len(command)}],
        },
    }


async def reach_category(
    user: FakeUser, lat: float = 31.2304, lon: float = 121.4737, photo: bytes | None = None
) -> dict[str, Any]:
    """Photo, done, location, "no one in danger": returns the category question."""
    [added] = await user.photo(photo or jpeg_bytes())
    await user.press(added, "ph:done")
    [danger] = await user.location(lat, lon)
    [categories] = await user.press(danger, "dg:no")
    return categories


class StatementCounter(logging.Handler):
    """Counts the SQL statements tortoise sends (it logs each one at DEBUG on `tortoise.db_client`)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.statements: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        sql = str(record.args[0]) if isinstance(record.args, tuple) and record.args else record.getMessage()
        if sql.lstrip().split(" ", 1)[0].upper() in SQL_VERBS:
            self.statements.append(sql)


SQL_VERBS = {"SELECT", "INSERT", "UPDATE", "DELETE", "WITH"}


@contextmanager
def counting_statements() -> Iterator[StatementCounter]:
    logger = logging.getLogger("tortoise.db_client")
    counter, level = StatementCounter(), logger.level
    logger.addHandler(counter)
    logger.setLevel(logging.DEBUG)
    try:
        yield counter
    finally:
        logger.removeHandler(counter)
        logger.setLevel(level)
