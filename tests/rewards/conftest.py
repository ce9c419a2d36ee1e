"""Rewards fixtures: an open ORM, the rules, an admin client (the ledger invariant is checked suite-wide)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.runtime import WebRuntime
from rewards.rules import RewardRules, load_rules_text, parse_rules
from tests.admin_client import AdminClient


@pytest.fixture
def rules() -> RewardRules:
    return parse_rules(load_rules_text(None))


@pytest.fixture
async def client(product: WebRuntime) -> AsyncIterator[AdminClient]:
    client = AdminClient(product.settings.local_base_url())
    yield client
    await client.close()
