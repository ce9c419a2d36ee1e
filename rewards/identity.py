"""Pure checks and masks for what /claim collects: phone numbers, real names, payout accounts."""

from __future__ import annotations

import re
import unicodedata
from enum import StrEnum


class PayoutMethod(StrEnum):
    ALIPAY = "alipay"
    WECHAT = "wechat"
    BANK_CARD = "bank_card"


MAINLAND_MOBILE_RE = re.compile(r"1[3-9]\d{9}")
EMAIL_RE = re.compile(r"[^@\s]{1,64}@[A-Za-z0-9.-]{1,190}\.[A-Za-z]{2,}")
WECHAT_ID_RE = re.compile(r"[A-Za-z][-_A-Za-z0-9]{5,19}")  # WeChat's own rule for IDs
GENERIC_ACCOUNT_RE = re.compile(r"\S{3,64}")  # a method added in settings that we have no rule for
NAME_MIN_CHARS, NAME_MAX_CHARS = 2, 40
NAME_PUNCTUATION = frozenset(" ·•'-.")  # "·" joins parts of transliterated names (阿依古丽·买买提)


def normalize_phone(raw: str) -> str | None:
    """A shared contact's number as +digits (Telegram sends it with or without "+"), or None."""
    digits = re.sub(r"[\s()-]", "", raw).removeprefix("+")
    return f"+{digits}" if digits.isdigit() and 6 <= len(digits) <= 15 else None


def normalize_name(raw: str) -> str | None:
    """A real name: letters (any script) with a few joiners, 2 to 40 characters; else None."""
    name = " ".join(raw.split())
    if not NAME_MIN_CHARS <= len(name) <= NAME_MAX_CHARS:
        return None
    if any(not (unicodedata.category(ch).startswith("L") or ch in NAME_PUNCTUATION) for ch in name):
        return None
    return name


def luhn_ok(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char) * (2 if position % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def _mobile(text: str) -> str | None:
    digits = re.sub(r"[\s-]", "", text).removeprefix("+86")
    return digits if MAINLAND_MOBILE_RE.fullmatch(digits) else None


def normalize_account(method: str, raw: str) -> str | None:
    """The account in a canonical form if it fits the method, else None."""
    text = raw.strip()
    if method == PayoutMethod.ALIPAY:
        return _mobile(text) or (text.lower() if EMAIL_RE.fullmatch(text) else None)
    if method == PayoutMethod.WECHAT:
        return _mobile(text) or (text if WECHAT_ID_RE.fullmatch(text) else None)
    if method == PayoutMethod.BANK_CARD:
        digits = re.sub(r"[\s-]", "", text)
        return digits if digits.isdigit() and 16 <= len(digits) <= 19 and luhn_ok(digits) else None
    return text if GENERIC_ACCOUNT_RE.fullmatch(text) else None


def mask_phone(phone: str) -> str:
    return phone[:4] + "*" * max(0, len(phone) - 8) + phone[-4:] if len(phone) > 8 else "*" * len(phone)


def mask_account(account: str) -> str:
    if "@" in account:
        local, domain = account.split("@", 1)
        return f"{local[:1]}***@{domain}"
    if account.isdigit() and len(account) >= 12:
        return f"**** {account[-4:]}"
    return account[:2] + "***" + account[-2:] if len(account) > 4 else "***"


def _is_cjk(char: str) -> bool:
    return "CJK" in unicodedata.name(char, "")


def mask_name(name: str) -> str:
    """For the public leaderboard: 张三丰 -> 张**, Alice -> A***e, Al -> A*."""
    name = name.strip()
    if not name:
        return "***"
    if _is_cjk(name[0]):
        return name[0] + "*" * (len(name) - 1 if len(name) > 1 else 1)
    if len(name) <= 2:
        return name[0] + "*"
    return f"{name[0]}***{name[-1]}"
