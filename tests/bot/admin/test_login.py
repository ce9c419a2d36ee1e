"""Staff login under attack: counted before the check, checked off the event loop, locked per address."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from redis.asyncio import Redis

from bot.admin.models import StaffUser
from bot.config import Settings
from bot.embedded_redis import EmbeddedRedis
from bot.runtime import WebRuntime, running_web
from tests.admin_client import PASSWORD, AdminClient, make_staff
from tests.conftest import FrozenClock

WRONG = "not the password at all"


@pytest.fixture
async def client(product: WebRuntime) -> AsyncIterator[AdminClient]:
    client = AdminClient(product.settings.local_base_url())
    yield client
    await client.close()


async def test_parallel_wrong_guesses_cannot_outrun_the_count(product: WebRuntime, client: AdminClient) -> None:
    """150 wrong guesses at once from one address: at most the 5 free ones are checked (401), the rest
    are refused before any password check (429)."""
    await make_staff("target")
    await client.get("/admin/login")
    form = {"username": "target", "password": WRONG}
    answers = await asyncio.gather(*(client.post("/admin/login", form) for _ in range(150)))
    statuses = [status for status, _ in answers]
    assert statuses.count(401) <= product.settings.login_max_failures
    assert statuses.count(429) == 150 - statuses.count(401)


async def test_a_lockout_from_one_address_leaves_another_address_in(product: WebRuntime, client: AdminClient) -> None:
    """Locked out from 127.0.0.1, the right password from 127.0.0.2 still logs in."""
    await make_staff("mei")
    for _ in range(product.settings.login_max_failures):
        assert await client.login("mei", WRONG) == 401
    assert await client.login("mei") == 429
    elsewhere = AdminClient(product.settings.local_base_url(), source_address="127.0.0.2")
    try:
        assert await elsewhere.login("mei") == 200
        assert (await elsewhere.get("/admin"))[0] == 200
    finally:
        await elsewhere.close()


async def test_the_wait_is_said_and_ends(product: WebRuntime, client: AdminClient, clock: FrozenClock) -> None:
    """A locked-out login is told how long to wait (Retry-After too); after it, one more try is allowed."""
    await make_staff("li")
    for _ in range(product.settings.login_max_failures):
        await client.login("li", WRONG)
    status, page = await client.post("/admin/login?lang=en", {"username": "li", "password": PASSWORD})
    assert status == 429 and "Try again in 1 min" in page
    clock.advance(seconds=product.settings.login_lockout_base_s)
    assert await client.login("li") == 200


async def test_a_slow_password_check_leaves_the_event_loop_free(product: WebRuntime, client: AdminClient) -> None:
    """While an (unusually slow) password check runs, /healthz still answers at once: the check runs in a
    thread. On the event loop it would hold every request for the whole check."""
    slow_hash = PasswordHasher(time_cost=12).hash(PASSWORD)
    await StaffUser.create(username="slow", password_hash=slow_hash, role="moderator")
    started = time.perf_counter()
    await asyncio.to_thread(PasswordHasher(time_cost=12).verify, slow_hash, PASSWORD)
    check_s = time.perf_counter() - started
    await client.get("/admin/login")
    login = asyncio.create_task(client.post("/admin/login", {"username": "slow", "password": WRONG}))
    await asyncio.sleep(0.2)  # the check is under way
    latencies = []
    while not login.done():
        began = time.perf_counter()
        status, _ = await client.get("/healthz")
        latencies.append(time.perf_counter() - began)
        assert status == 200
        await asyncio.sleep(0.05)
    assert (await login)[0] == 401 and len(latencies) >= 3
    assert max(latencies) < check_s / 2, (latencies, check_s)


class TestBehindAProxy:
    @pytest.fixture
    async def proxied(
        self, db: None, settings: Settings, clock: FrozenClock, redis: Redis
    ) -> AsyncIterator[WebRuntime]:
        trusting = settings.model_copy(update={"trusted_proxies": ("127.0.0.1",)})
        async with running_web(trusting, clock=clock) as runtime:
            yield runtime

    async def test_forwarded_clients_are_told_apart(self, proxied: WebRuntime) -> None:
        """Through a trusted proxy, a lockout of one client leaves another client in."""
        await make_staff("wu")
        client = AdminClient(proxied.settings.local_base_url())
        try:
            attacker, colleague = {"X-Forwarded-For": "198.51.100.1"}, {"X-Forwarded-For": "198.51.100.2"}
            for _ in range(proxied.settings.login_max_failures):
                assert await client.login("wu", WRONG, headers=attacker) == 401
            assert await client.login("wu", headers=attacker) == 429
            assert await client.login("wu", headers=colleague) == 200
        finally:
            await client.close()

    async def test_an_untrusted_peer_cannot_pick_its_address(self, product: WebRuntime, client: AdminClient) -> None:
        """Without TRUSTED_PROXIES, a made-up X-Forwarded-For on every guess does not escape the lockout."""
        await make_staff("zhao")
        for n in range(product.settings.login_max_failures):
            assert await client.login("zhao", WRONG, headers={"X-Forwarded-For": f"198.51.100.{n}"}) == 401
        assert await client.login("zhao", headers={"X-Forwarded-For": "198.51.100.99"}) == 429


async def test_logins_work_while_redis_is_away(
    db: None, settings: Settings, clock: FrozenClock, tmp_path: Path
) -> None:
    """The throttle and the sessions live in the database: with Redis gone, a wrong password is still
    refused, the right one logs in, and the lockout still holds."""
    own_redis = EmbeddedRedis(tmp_path / "own-redis").start()
    stopped = False
    try:
        async with running_web(settings.model_copy(update={"redis_url": own_redis.url}), clock=clock) as runtime:
            await make_staff("qian")
            own_redis.stop()
            stopped = True
            client = AdminClient(runtime.settings.local_base_url())
            try:
                assert await client.login("qian", WRONG) == 401
                assert await client.login("qian") == 200
                assert (await client.get("/admin"))[0] == 200
                for _ in range(runtime.settings.login_max_failures):
                    await client.login("qian", WRONG)
                assert await client.login("qian") == 429
            finally:
                await client.close()
    finally:
        if not stopped:
            own_redis.stop()
