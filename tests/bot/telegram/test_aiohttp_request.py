"""PTB over aiohttp: the same requests PTB's httpx layer sends, the same errors."""

from __future__ import annotations

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import NetworkError, TimedOut

from bot.telegram.aiohttp_request import AiohttpRequest
from tests.bot.helpers import jpeg_bytes
from tests.conftest import free_port
from tests.fake_botapi import FakeBotAPI


def bot_for(api_url: str, token: str) -> Bot:
    return Bot(token, base_url=f"{api_url}/bot", base_file_url=f"{api_url}/file/bot", request=AiohttpRequest(8))


async def test_a_message_with_buttons_arrives_as_sent(fake_api: FakeBotAPI) -> None:
    async with bot_for(fake_api.url, fake_api.token) as bot:
        markup = InlineKeyboardMarkup([[InlineKeyboardButton("A", callback_data="a")]])
        sent = await bot.send_message(7, "你好", reply_markup=markup)
    [call] = fake_api.sent(7)
    assert (call["text"], call["reply_markup"]["inline_keyboard"][0][0]["callback_data"]) == ("你好", "a")
    assert sent.message_id == call["_result"]["message_id"]


async def test_a_photo_is_uploaded_as_multipart(fake_api: FakeBotAPI) -> None:
    photo = jpeg_bytes()
    async with bot_for(fake_api.url, fake_api.token) as bot:
        await bot.send_photo(7, photo, caption="card")
    [call] = fake_api.sent(7, "sendPhoto")
    assert (call["photo"], call["caption"]) == (photo, "card")


async def test_a_file_is_downloaded(fake_api: FakeBotAPI) -> None:
    fake_api.files["F1"] = (b"\xff\xd8bytes", "photos/F1.jpg")
    async with bot_for(fake_api.url, fake_api.token) as bot:
        data = await (await bot.get_file("F1")).download_as_bytearray()
    assert bytes(data) == b"\xff\xd8bytes"


async def test_a_refused_connection_is_a_network_error_that_never_left() -> None:
    """The cause names the connect failure: bot/telegram/once.py then knows nothing was sent."""
    request = AiohttpRequest(8)
    await request.initialize()
    try:
        with pytest.raises(NetworkError) as refused:
            await request.do_request(f"http://127.0.0.1:{free_port()}/bot1:X/sendMessage", "POST")
    finally:
        await request.shutdown()
    assert "connect" in type(refused.value.__cause__).__name__.lower()


async def test_no_answer_in_time_is_timed_out(fake_api: FakeBotAPI) -> None:
    fake_api.delays_s["sendMessage"] = 2.0
    async with bot_for(fake_api.url, fake_api.token) as bot:
        with pytest.raises(TimedOut):
            await bot.send_message(7, "hi", read_timeout=0.5)
