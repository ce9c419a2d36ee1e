"""Settings decide where the bot talks and refuse a setup that would be unsafe in production."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from bot.config import OLD_DEFAULT_WEBHOOK_SECRET, SANDBOX_API_PATH, TELEGRAM_API_URL, Settings


def settings(tmp_path: Path, **fields: Any) -> Settings:
    return Settings(_env_file=None, var_dir=tmp_path, **fields)


def test_no_token_points_the_bot_at_the_sandbox(tmp_path: Path) -> None:
    built = settings(tmp_path, port=8123)
    assert built.sandbox_enabled
    assert built.telegram_api_url == f"http://127.0.0.1:8123{SANDBOX_API_PATH}"


def test_a_token_points_the_bot_at_telegram(tmp_path: Path) -> None:
    built = settings(tmp_path, telegram_bot_token="123:abc")
    assert not built.sandbox_enabled and built.telegram_api_url == TELEGRAM_API_URL


WEBHOOK = {"telegram_bot_token": "123:abc", "public_url": "https://bot.example.org"}
GOOD_SECRET = "Zq3_-" + "k" * 27  # 32 characters: the shortest accepted


@pytest.mark.parametrize(
    "secret",
    [
        pytest.param("", id="empty"),
        pytest.param("x", id="one-character"),
        pytest.param(OLD_DEFAULT_WEBHOOK_SECRET, id="old-default"),
        pytest.param(GOOD_SECRET[:31], id="31-characters"),
        pytest.param(GOOD_SECRET[:31] + "!", id="outside-telegrams-alphabet"),
        pytest.param("a" * 257, id="longer-than-telegram-allows"),
    ],
)
def test_a_webhook_with_a_guessable_or_invalid_secret_is_refused(tmp_path: Path, secret: str) -> None:
    with pytest.raises(ValidationError, match="WEBHOOK_SECRET must be 32 to 256 characters"):
        settings(tmp_path, webhook_secret=secret, **WEBHOOK)


def test_a_webhook_with_a_long_random_secret_is_accepted(tmp_path: Path) -> None:
    assert settings(tmp_path, webhook_secret=GOOD_SECRET, **WEBHOOK).webhook_enabled


def test_polling_needs_no_secret(tmp_path: Path) -> None:
    """No PUBLIC_URL: the bot polls and mounts no webhook, so an empty secret is fine."""
    built = settings(tmp_path, telegram_bot_token="123:abc")
    assert not built.webhook_enabled and built.webhook_secret == ""


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.20", "example.org"])
def test_the_sandbox_refuses_a_public_host(tmp_path: Path, host: str) -> None:
    with pytest.raises(ValidationError, match="not a loopback address"):
        settings(tmp_path, host=host)


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.2", "::1", "localhost"])
def test_the_sandbox_runs_on_loopback(tmp_path: Path, host: str) -> None:
    assert settings(tmp_path, host=host).sandbox_enabled


def test_a_declared_public_demo_may_listen_everywhere(tmp_path: Path) -> None:
    assert settings(tmp_path, host="0.0.0.0", sandbox_public_demo=True).sandbox_enabled


def test_a_real_bot_may_listen_everywhere(tmp_path: Path) -> None:
    assert not settings(tmp_path, host="0.0.0.0", telegram_bot_token="123:abc").sandbox_enabled


def test_trusted_proxies_read_as_a_comma_separated_list(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRUSTED_PROXIES", "10.0.0.1, 172.16.0.0/12")
    assert settings(tmp_path).trusted_proxies == ("10.0.0.1", "172.16.0.0/12")


def test_a_trusted_proxy_that_is_no_address_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="not an address or a network"):
        settings(tmp_path, trusted_proxies="10.0.0.1,proxy.local")
