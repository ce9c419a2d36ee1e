"""What /claim accepts: phone numbers, real names, payout accounts; and the leaderboard's masks."""

from __future__ import annotations

import pytest

from rewards.identity import (
    luhn_ok,
    mask_account,
    mask_name,
    mask_phone,
    normalize_account,
    normalize_name,
    normalize_phone,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("+8613800138000", "+8613800138000"),
        ("8613800138000", "+8613800138000"),
        ("12", None),
        ("+86 138-0013-8000", "+8613800138000"),
        ("abc", None),
    ],
)
def test_phone(raw: str, expected: str | None) -> None:
    assert normalize_phone(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("张三", "张三"),
        ("  Alice   Smith ", "Alice Smith"),
        ("阿依古丽·买买提", "阿依古丽·买买提"),
        ("张", None),
        ("R2D2", None),
        ("x" * 41, None),
        ("<script>", None),
    ],
)
def test_name(raw: str, expected: str | None) -> None:
    assert normalize_name(raw) == expected


@pytest.mark.parametrize(
    ("method", "raw", "expected"),
    [
        ("alipay", "138 0013 8000", "13800138000"),
        ("alipay", "Someone@Example.com", "someone@example.com"),
        ("alipay", "12345", None),
        ("wechat", "wxid_alice1", "wxid_alice1"),
        ("wechat", "1alice", None),
        ("bank_card", "6222 0212 3456 7894", "6222021234567894"),
        ("bank_card", "6222021234567893", None),  # Luhn check digit wrong
        ("bank_card", "1234", None),
        ("paypal", "someone@example.com", "someone@example.com"),  # a method added in settings: any token
    ],
)
def test_account(method: str, raw: str, expected: str | None) -> None:
    assert normalize_account(method, raw) == expected


def test_luhn() -> None:
    assert luhn_ok("79927398713") and not luhn_ok("79927398710")


def test_masks() -> None:
    """Public names keep one character (张**, A***e); phones and accounts keep their ends."""
    assert mask_name("张三丰") == "张**" and mask_name("张三") == "张*" and mask_name("Alice") == "A***e"
    assert mask_name("Al") == "A*" and mask_name("") == "***"
    assert mask_phone("+8613800138000") == "+861******8000"
    assert mask_account("6222021234567894") == "**** 7894" and mask_account("alice@example.com") == "a***@example.com"
