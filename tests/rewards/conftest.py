"""Rewards fixtures: the ledger invariant after every test, an open ORM, the rules, an admin client."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.config import Settings
from bot.db import close_db, init_db
from bot.runtime import WebRuntime
from rewards.ledger import check_invariants
from rewards.rules import RewardRules, load_rules_text, parse_rules
from tests.admin_client import AdminClient


@pytest.fixture(autouse=True)
async def ledger_invariant(db: None, settings: Settings) -> AsyncIterator[None]:
    """After every rewards test: each transaction sums to zero and every cached balance equals
    the sum of its account's entries (the ORM the test used is closed by then: open our own)."""
    yield
    await init_db(settings)
    try:
        problems = await check_invariants()
    finally:
        await close_db()
    assert problems == [], problems


@pytest.fixture
async def orm(db: None, settings: Settings) -> AsyncIterator[None]:
    """The ORM without the web process, for tests of domain functions."""
    await init_db(settings)
    yield
    await close_db()


@pytest.fixture
def rules() -> RewardRules:
    return parse_rules(load_rules_text(None))


@pytest.fixture
async def client(product: WebRuntime) -> AsyncIterator[AdminClient]:
    client = AdminClient(product.settings.local_base_url())
    yield client
    await client.close()
