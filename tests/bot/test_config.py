"""Settings decide where the bot talks and refuse a setup that would be unsafe in production."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from bot.config import SANDBOX_API_PATH, TELEGRAM_API_URL, Settings


def settings(tmp_path: Path, **fields: Any) -> Settings:
    return Settings(_env_file=None, var_dir=tmp_path, **fields)


def test_no_token_points_the_bot_at_the_sandbox(tmp_path: Path) -> None:
    built = settings(tmp_path, port=8123)
    assert built.sandbox_enabled
    assert built.telegram_api_url == f"http://127.0.0.1:8123{SANDBOX_API_PATH}"


def test_a_token_points_the_bot_at_telegram(tmp_path: Path) -> None:
    built = settings(tmp_path, telegram_bot_token="123:abc")
    assert not built.sandbox_enabled and built.telegram_api_url == TELEGRAM_API_URL


def test_a_real_webhook_with_the_default_secret_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="WEBHOOK_SECRET"):
        settings(tmp_path, telegram_bot_token="123:abc", public_url="https://bot.example.org")
    chosen = settings(
        tmp_path, telegram_bot_token="123:abc", public_url="https://bot.example.org", webhook_secret="s3cret-long"
    )
    assert chosen.webhook_secret == "s3cret-long"
