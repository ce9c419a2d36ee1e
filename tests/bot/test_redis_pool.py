"""The process's Redis pool hands out connections without one turn of the event loop per command."""

from __future__ import annotations

import asyncio

from redis.asyncio import Redis

from bot.redis_pool import checkout_promptly

AT_ONCE = 50


async def loop_turns_to_hand_out_connections(client: Redis) -> int:
    """How many turns of the event loop the pool took to hand out `AT_ONCE` connections asked for at once
    (all of them connected before: no network in the count, only the pool's own waiting)."""
    pool = client.connection_pool
    warm = await asyncio.gather(*(pool.get_connection() for _ in range(AT_ONCE)))
    for connection in warm:
        await pool.release(connection)
    turns, done = 0, False

    async def count() -> None:
        nonlocal turns
        while not done:
            turns += 1
            await asyncio.sleep(0)

    counter = asyncio.create_task(count())
    handed_out = await asyncio.gather(*(pool.get_connection() for _ in range(AT_ONCE)))
    done = True
    await counter
    for connection in handed_out:
        await pool.release(connection)
    return turns


async def test_connections_asked_for_at_once_are_not_handed_out_one_per_loop_turn(redis_url: str) -> None:
    client = Redis.from_url(redis_url)
    await checkout_promptly(client)
    try:
        assert await loop_turns_to_hand_out_connections(client) < AT_ONCE // 5
    finally:
        await client.aclose()


async def test_a_connection_left_with_unread_data_is_not_handed_out_again(redis_url: str) -> None:
    client = Redis.from_url(redis_url)
    await checkout_promptly(client)
    try:
        connection = await client.connection_pool.get_connection()
        await connection.send_command("PING")  # its answer never read
        await asyncio.sleep(0.05)
        await client.connection_pool.release(connection)
        assert await client.get("nothing-here") is None  # not PING's leftover "PONG"
    finally:
        await client.aclose()
