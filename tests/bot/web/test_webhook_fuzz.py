"""Property: whatever Telegram (or anyone holding the secret) posts, the web process answers and goes on.

A few thousand generated updates (realistic ones from every kind the bot handles, then mutated: a value
replaced by arbitrary JSON, a key dropped or added; some redelivered; some arbitrary JSON) go through the
real webhook of a real `python -m bot web` process. Afterwards a normal user's /help is answered and the
process's resident memory grew by less than MEMORY_BOUND_KB.
"""

from __future__ import annotations

import copy
import itertools
import json
import os
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.bot.helpers import command_update, jpeg_bytes
from tests.cluster import WEBHOOK_SECRET, BotProcess, Cluster, ThreadedFakeAPI

#: Examples per run (FUZZ_EXAMPLES overrides): a few thousand keep it about a minute on two busy cores.
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "2500"))
#: The web process's RSS may grow this much over the fuzz run (warm before; measured ~10-20 MB).
MEMORY_BOUND_KB = 48 * 1024
HEADERS = {"X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET}
COMMANDS = ["/start", "/help", "/report", "/cancel", "/balance", "/claim", "/my_reports", "/language", "/stop"]
BUTTONS = ["ph:done", "cf:yes", "cf:no", "dg:no", "dg:yes", "dg:safe", "cat:ebike", "desc:skip", "dup:new", "dup:1"]
BUTTONS += ["lp:yes", "lp:no", "rw:m:alipay", "rw:lb:1", "rw:acct", "sub:r:0", "sub:t:fire", "uns:all", "lang:en"]

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=40)
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)


@st.composite
def realistic_updates(draw: st.DrawFn) -> dict[str, Any]:
    user_id = draw(st.integers(1, 40) | st.integers(1, 2**40))
    sender = {"id": user_id, "is_bot": False, "first_name": draw(st.text(max_size=20)), "language_code": "en"}
    chat = {"id": user_id, "type": "private"}
    if draw(st.integers(0, 9)) == 0:  # now and then a group (many: a group's replies are limited to 20 a minute)
        chat = {"id": draw(st.integers(-(10**13), -(10**12))), "type": draw(st.sampled_from(["group", "supergroup"]))}
    message: dict[str, Any] = {"message_id": draw(st.integers(1, 10**6)), "date": 1_700_000_000, "chat": chat}
    message["from"] = sender
    kind = draw(st.sampled_from(["command", "text", "location", "photo", "contact", "sticker", "tap"]))
    if kind == "tap":
        data = draw(st.sampled_from(BUTTONS) | st.text(max_size=64))
        shown = {"message_id": draw(st.integers(1, 10**6)), "date": 0, "chat": chat, "text": "?"}
        query = {"id": str(draw(st.integers(0))), "chat_instance": "ci", "data": data, "from": sender, "message": shown}
        return {"callback_query": query}
    if kind == "command":
        command = draw(st.sampled_from(COMMANDS))
        message.update(text=command, entities=[{"type": "bot_command", "offset": 0, "length": len(command)}])
    elif kind == "text":
        message["text"] = draw(st.text(max_size=300) | st.sampled_from(["31.23, 121.47", "91, 200", "ok"]))
    elif kind == "location":
        message["location"] = {"latitude": draw(st.floats(-90, 90)), "longitude": draw(st.floats(-180, 180))}
    elif kind == "photo":
        size = {"file_id": "FUZZ-PHOTO", "file_unique_id": "fz", "width": 640, "height": 480, "file_size": 9000}
        message["photo"] = [size]
    elif kind == "contact":
        message["contact"] = {"phone_number": draw(st.text(max_size=16)), "first_name": "X", "user_id": user_id}
    else:
        message["sticker"] = {"file_id": "S", "file_unique_id": "S", "type": "regular", "width": 1, "height": 1}
    return {"message": message}


def paths(value: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield (*prefix, key)
            yield from paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield (*prefix, index)
            yield from paths(item, (*prefix, index))


@st.composite
def mutated(draw: st.DrawFn, base: dict[str, Any]) -> dict[str, Any]:
    body = copy.deepcopy(base)
    for _ in range(draw(st.integers(1, 3))):
        places = list(paths(body))
        if not places:
            break
        where = draw(st.sampled_from(places))
        parent = body
        for step in where[:-1]:
            parent = parent[step]
        action = draw(st.sampled_from(["replace", "drop", "add"]))
        if action == "replace":
            parent[where[-1]] = draw(json_values)
        elif action == "drop" and isinstance(parent, dict):
            parent.pop(where[-1], None)
        elif isinstance(parent, dict):
            parent[draw(st.text(max_size=8))] = draw(json_values)
    return body


update_bodies = st.one_of(
    realistic_updates(),
    realistic_updates().flatmap(mutated),
    realistic_updates().flatmap(mutated),
    json_values,
)


@pytest.fixture
def web_process(
    tmp_path: Path, redis_url: str, handed_over_template: None
) -> Iterator[tuple[ThreadedFakeAPI, Cluster, BotProcess]]:
    with ThreadedFakeAPI() as fake:
        fake.api.files["FUZZ-PHOTO"] = (jpeg_bytes(), "photos/fuzz.jpg")
        # Hypothesis favours small ids, so chat 1 gets a few hundred updates: at Telegram's pace for one chat
        # (1 a second, tests/bot/test_ratelimit.py) its replies alone would outlast the test's wait.
        unpaced = {"CHAT_RATE_PER_S": "1000", "CHAT_BURST": "1000"}
        database_url = f"sqlite://{tmp_path / 'fuzz.sqlite3'}"
        cluster = Cluster(tmp_path, database_url, redis_url, fake.api.url, fake.api.token, env=unpaced)
        cluster.migrate()
        try:
            web = cluster.add("web")
            yield fake, cluster, web
        finally:
            cluster.stop()


def to_do(database: Path) -> int:
    with sqlite3.connect(database) as connection:
        return int(connection.execute("SELECT COUNT(*) FROM processed_update WHERE done_at IS NULL").fetchone()[0])


def help_answered(fake: ThreadedFakeAPI, client: httpx.Client, url: str, update_id: int, chat_id: int) -> bool:
    body = command_update(update_id, chat_id, "/help", first_name="Normal")
    assert client.post(url, json=body, headers=HEADERS).status_code == 200
    try:
        fake.call(fake.api.wait_for("sendMessage", 1, chat_id=chat_id, timeout_s=20))
    except TimeoutError:
        return False
    return True


@pytest.mark.timeout(300)  # a few thousand updates through a real process: slow on a busy 2-core runner, not wrong
def test_fuzzed_updates_leave_the_bot_answering_within_a_memory_bound(
    web_process: tuple[ThreadedFakeAPI, Cluster, BotProcess], tmp_path: Path
) -> None:
    fake, cluster, web = web_process
    update_ids = itertools.count(1_000)
    sent: list[dict[str, Any]] = []
    with httpx.Client(timeout=10) as client:
        for chat_id in range(900_001, 900_101):  # warm up every path once before measuring
            assert help_answered(fake, client, web.webhook_url, next(update_ids), chat_id)
        rss_before_kb = web.rss_kb()

        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(body=update_bodies, redeliver=st.integers(0, 19))
        def post(body: Any, redeliver: int) -> None:
            if isinstance(body, dict):
                # Mostly fresh ids; sometimes one seen before (a redelivery, or a replay of an old one).
                seen = sent[-1]["update_id"] if sent and redeliver == 0 and "update_id" in sent[-1] else None
                body = {**body, "update_id": seen if seen is not None else next(update_ids)}
                sent.append(body)
            raw = json.dumps(body).encode()  # NaN and Infinity too: Python's json reads them back
            response = client.post(web.webhook_url, content=raw, headers=HEADERS)
            assert response.status_code == 200, response.text

        post()
        deadline = time.monotonic() + 60
        while to_do(tmp_path / "fuzz.sqlite3") and time.monotonic() < deadline:
            time.sleep(0.2)
        assert to_do(tmp_path / "fuzz.sqlite3") == 0, cluster.logs()
        assert help_answered(fake, client, web.webhook_url, next(update_ids), 900_999), cluster.logs()
        growth_kb = web.rss_kb() - rss_before_kb
    print(f"fuzz: {len(sent)} updates, RSS growth {growth_kb} kB")  # noqa: T201 - the figure, in -s runs
    assert growth_kb < MEMORY_BOUND_KB, f"RSS grew {growth_kb} kB"
