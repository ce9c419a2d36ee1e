"""Process start-up helpers of `python -m bot`."""

from __future__ import annotations

from pathlib import Path

from bot.cli import with_private_sandbox_token
from bot.config import DEFAULT_SANDBOX_TOKEN, Settings


def test_each_data_directory_gets_its_own_sandbox_token(tmp_path: Path) -> None:
    """The built-in sandbox token would let anyone reaching the port post as the bot into any chat: a
    random one replaces it, the same for every process on the same data directory."""
    first = with_private_sandbox_token(Settings(_env_file=None, var_dir=tmp_path / "a"))
    again = with_private_sandbox_token(Settings(_env_file=None, var_dir=tmp_path / "a"))
    other = with_private_sandbox_token(Settings(_env_file=None, var_dir=tmp_path / "b"))
    assert first.bot_token != DEFAULT_SANDBOX_TOKEN and first.bot_token.startswith("1:")
    assert first.bot_token == again.bot_token != other.bot_token
    assert len(first.bot_token) > 30


def test_a_real_bot_keeps_its_token(tmp_path: Path) -> None:
    settings = Settings(_env_file=None, var_dir=tmp_path, telegram_bot_token="123:abc")
    assert with_private_sandbox_token(settings).bot_token == "123:abc"
    assert not (tmp_path / "sandbox_bot.token").exists()
