"""Logs carry update ids, types and exceptions; never update bodies, phone numbers or names."""

from __future__ import annotations

import asyncio
import io
import logging
from collections.abc import Iterator

import pytest

from bot.logs import configure_logging
from bot.runtime import WebRuntime
from tests.fake_botapi import FakeBotAPI
from tests.fake_user import FakeUser

PHONE, NAME, FIRST_NAME = "+8613800138000", "张三丰", "Zhangsan"


@pytest.fixture
def product_log() -> Iterator[io.StringIO]:
    """What the product's own log handler (as `python -m bot` installs it) writes."""
    stream = io.StringIO()
    handler = configure_logging(stream)
    yield stream
    logging.getLogger().removeHandler(handler)


async def logged(stream: io.StringIO, needle: str, count: int) -> str:
    for _ in range(200):
        if stream.getvalue().count(needle) >= count:
            return stream.getvalue()
        await asyncio.sleep(0.05)
    raise AssertionError(f"{needle!r} logged fewer than {count} times:\n{stream.getvalue()}")


async def test_a_failing_claim_step_logs_no_phone_and_no_name(
    product: WebRuntime, fake_api: FakeBotAPI, product_log: io.StringIO
) -> None:
    """/claim's phone and name steps fail (Telegram refuses the reply): the log names the updates and the
    error, and holds neither the phone number, nor the real name, nor the Telegram name."""
    user = FakeUser(fake_api, 2901, first_name=FIRST_NAME)
    await user.command("/claim")
    fake_api.fail_next("sendMessage", 400, "Bad Request: chat not found")
    await user.contact(PHONE, expect_replies=0)
    await logged(product_log, "handler failed for update", 1)
    fake_api.fail_next("sendMessage", 400, "Bad Request: chat not found")
    await user.text(NAME, expect_replies=0)
    log = await logged(product_log, "handler failed for update", 2)
    assert "(message)" in log and "Chat not found" in log  # which update, what went wrong
    assert PHONE not in log and PHONE.removeprefix("+") not in log and "138 0013" not in log
    assert NAME not in log and FIRST_NAME not in log


def test_an_update_passed_to_any_logger_is_reduced_to_its_id_and_type(product_log: io.StringIO) -> None:
    """A library or a stray debug line logging a whole update body: the filter keeps only id and type."""
    body = {"update_id": 5, "message": {"contact": {"phone_number": PHONE, "first_name": FIRST_NAME}}}
    try:
        raise ValueError(f"could not read {NAME}")
    except ValueError:
        logging.getLogger("somewhere").exception("odd update %s", body)
    log = product_log.getvalue()
    assert "odd update update 5 (message)" in log and "ValueError" in log
    assert PHONE not in log and FIRST_NAME not in log
