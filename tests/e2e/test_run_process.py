"""`python -m bot run` (what `make run` starts) stops cleanly and starts again on the same var dir."""

from __future__ import annotations

import asyncio
import http.cookiejar
import json
import os
import signal
import stat
import time
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from tests.admin_client import AdminClient
from tests.bot.helpers import jpeg_bytes
from tests.e2e.running import RunningProduct, descendants, running

#: One browser for the whole module: it keeps the sandbox's owner cookie, so its people stay its own,
#: across a restart too (cookies do not depend on the port).
BROWSER = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))


def say(product: RunningProduct, chat_id: int, text: str) -> None:
    form = urllib.parse.urlencode({"kind": "text", "chat_id": chat_id, "language_code": "en", "text": text})
    with BROWSER.open(f"{product.base_url}/sandbox/api/send", data=form.encode(), timeout=5) as response:
        assert json.load(response)["ok"]


def transcript(product: RunningProduct, chat_id: int, *, bot_messages: int) -> list[dict[str, Any]]:
    """The chat's messages once the bot has sent `bot_messages` of them (long poll, 10 s at most)."""
    deadline = time.monotonic() + 10
    while True:
        query = urllib.parse.urlencode({"chat_id": chat_id, "after": 0})
        with BROWSER.open(f"{product.base_url}/sandbox/api/messages?{query}", timeout=5) as response:
            messages: list[dict[str, Any]] = json.load(response)["messages"]
        if sum(m["outgoing"] for m in messages) >= bot_messages or time.monotonic() > deadline:
            return messages
        time.sleep(0.05)


@pytest.mark.usefixtures("handed_over_template")
def test_ctrl_c_right_after_startup_stops_everything(tmp_path: Path) -> None:
    """Ctrl-C as soon as the web answers: exit code 0 and no embedded redis-server left behind."""
    product = RunningProduct(tmp_path)
    try:
        product.wait_until_up()
        code, left_running = product.stop(signal.SIGINT)
    finally:
        product.kill()
    assert code == 0, product.log_path.read_text()
    assert left_running == []


@pytest.mark.usefixtures("handed_over_template")
def test_sigterm_while_running_stops_everything(tmp_path: Path) -> None:
    """SIGTERM (a process manager) after a conversation: exit code 0, nothing left running."""
    product = RunningProduct(tmp_path)
    try:
        product.wait_until_up()
        say(product, 32, "/start")
        transcript(product, 32, bot_messages=1)
        code, left_running = product.stop(signal.SIGTERM)
    finally:
        product.kill()
    assert code == 0, product.log_path.read_text()
    assert left_running == []


@pytest.mark.usefixtures("handed_over_template")
def test_a_killed_product_takes_its_redis_down_too(tmp_path: Path) -> None:
    """Even SIGKILL (no cleanup at all) does not orphan the embedded redis-server."""
    product = RunningProduct(tmp_path)
    try:
        product.wait_until_up()
        children = descendants(product.process.pid)
        assert children, "the embedded redis-server should be a child of the product"
        os.kill(product.process.pid, signal.SIGKILL)
        product.process.wait()
        deadline = time.monotonic() + 5
        while any(running(pid) for pid in children) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not any(running(pid) for pid in children)
    finally:
        product.kill()


@pytest.mark.usefixtures("handed_over_template")
def test_a_second_run_continues_on_the_same_data(tmp_path: Path) -> None:
    """Run, stop, run again: migrations re-apply cleanly, the chat is still there, the bot still answers."""
    first = RunningProduct(tmp_path)
    try:
        first.wait_until_up()
        say(first, 31, "/start")
        assert len(transcript(first, 31, bot_messages=1)) == 2
        assert first.stop()[0] == 0
    finally:
        first.kill()
    second = RunningProduct(tmp_path)
    try:
        second.wait_until_up()
        say(second, 31, "/help")  # a reused update id would be dropped as a redelivery: no answer
        messages = transcript(second, 31, bot_messages=2)
        assert [m["message"].get("text", "")[:5] for m in messages] == ["/star", "Hello", "/help", "Comma"]
        assert second.stop()[0] == 0
    finally:
        second.kill()


def wait_for_file(path: Path) -> str:
    """The product writes it just after the web answers; 10 s at most."""
    deadline = time.monotonic() + 10
    while not path.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    return path.read_text()


async def admin_pages_as(base_url: str, username: str, password: str, *paths: str) -> list[tuple[int, str]]:
    client = AdminClient(base_url)
    try:
        await client.login(username, password)
        return [await client.get(path) for path in paths]
    finally:
        await client.close()


def test_a_fresh_sandbox_has_an_admin_to_log_in_with(tmp_path: Path) -> None:
    """`make run` alone opens the whole product: the first sandbox start creates one admin and a funded
    reward pool, once."""
    first = RunningProduct(tmp_path)
    try:
        first.wait_until_up()
        username, password = wait_for_file(first.var_dir / "sandbox-admin.txt").split()
        assert password in first.log_path.read_text()
        queue, pools = asyncio.run(
            admin_pages_as(first.base_url, username, password, "/admin/queue", "/admin/rewards/pools")
        )
        assert queue[0] == 200 and "Sandbox admin" in queue[1]
        assert "Sandbox trial pool" in pools[1] and "10,000.00" in pools[1]  # a trial's rewards are granted
        assert first.stop()[0] == 0
    finally:
        first.kill()
    second = RunningProduct(tmp_path)
    try:
        second.wait_until_up()
        assert (second.var_dir / "sandbox-admin.txt").read_text().split() == [username, password]
        assert second.stop()[0] == 0
    finally:
        second.kill()


async def send_a_photo(base_url: str, chat_id: int) -> None:
    """A photo through the sandbox page's API, then the bot's answer (the photo is stored by then)."""
    async with aiohttp.ClientSession(base_url, cookie_jar=aiohttp.CookieJar(unsafe=True)) as session:
        form = aiohttp.FormData({"kind": "photo", "chat_id": str(chat_id), "language_code": "en"})
        form.add_field("file", jpeg_bytes(), filename="hazard.jpg", content_type="image/jpeg")
        async with session.post("/sandbox/api/send", data=form) as response:
            assert (await response.json())["ok"]
        for _ in range(100):
            params = {"chat_id": str(chat_id), "after": "0", "wait": "1"}
            async with session.get("/sandbox/api/messages", params=params) as response:
                if any(m["outgoing"] for m in (await response.json())["messages"]):
                    return
        raise AssertionError("the bot did not answer the photo")


def modes_under(var_dir: Path) -> dict[str, int]:
    """Permission bits of the directory and of everything in it (sockets left out), by relative name."""
    found = {".": stat.S_IMODE(var_dir.stat().st_mode)}
    for path in var_dir.rglob("*"):
        info = path.lstat()
        if not stat.S_ISSOCK(info.st_mode):
            found[path.relative_to(var_dir).as_posix()] = stat.S_IMODE(info.st_mode)
    return found


def test_everything_under_var_dir_is_owner_only(tmp_path: Path) -> None:
    """During and after a run with a photo: the database and its WAL, photos, keys, the sandbox's state and
    files and the sandbox admin's password are 0600, in 0700 folders."""
    product = RunningProduct(tmp_path)
    try:
        product.wait_until_up()
        wait_for_file(product.var_dir / "sandbox-admin.txt")
        asyncio.run(send_a_photo(product.base_url, 41))
        running = modes_under(product.var_dir)
        assert product.stop()[0] == 0
    finally:
        product.kill()
    found = {**running, **modes_under(product.var_dir)}
    for expected in ("safecity.sqlite3", "safecity.sqlite3-wal", "admin_secret.key", "rewards_secret.key"):
        assert expected in found
    assert "sandbox-admin.txt" in found and "sandbox/state.json" in found
    assert any(name.startswith("photos/") and name.endswith(".jpg") for name in found)
    assert any(name.startswith("sandbox/files/") for name in found)
    loose = {
        name: oct(mode)
        for name, mode in found.items()
        if mode != (0o700 if name == "." or (product.var_dir / name).is_dir() else 0o600)
    }
    assert loose == {}
