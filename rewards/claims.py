"""The /claim conversation: real-name verification (own phone contact, then a typed name) and a
payout account. Its state is the `ClaimSession` row, never process memory, so any web process
continues it; what the resident gives is stored encrypted in their `RewardProfile`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from tortoise.exceptions import IntegrityError

from rewards.crypto import Cipher
from rewards.identity import mask_account, mask_phone, normalize_account, normalize_name, normalize_phone
from rewards.models import ClaimSession, RewardProfile


class ClaimStep(StrEnum):
    PHONE = "phone"  # waiting for the resident's own contact (the request_contact button)
    NAME = "name"
    METHOD = "method"  # a button per payout method
    ACCOUNT = "account"


class ClaimPrompt(StrEnum):
    ASK_PHONE = "ask_phone"
    ASK_NAME = "ask_name"
    ASK_METHOD = "ask_method"
    ASK_ACCOUNT = "ask_account"
    DONE = "done"
    SUMMARY = "summary"  # nothing missing: what we have, and what can be changed


class ClaimProblem(StrEnum):
    NOT_OWN_CONTACT = "not_own_contact"
    BAD_PHONE = "bad_phone"
    USE_BUTTON = "use_button"
    BAD_NAME = "bad_name"
    BAD_ACCOUNT = "bad_account"


ASK_FOR_STEP = {
    ClaimStep.PHONE: ClaimPrompt.ASK_PHONE,
    ClaimStep.NAME: ClaimPrompt.ASK_NAME,
    ClaimStep.METHOD: ClaimPrompt.ASK_METHOD,
    ClaimStep.ACCOUNT: ClaimPrompt.ASK_ACCOUNT,
}


@dataclass(frozen=True)
class ProfileView:
    """The resident's own details as shown back to them (phone and account masked)."""

    verified: bool
    name: str | None
    phone: str | None
    method: str | None
    account: str | None
    leaderboard_opt_in: bool


@dataclass(frozen=True)
class ClaimReply:
    prompt: ClaimPrompt
    problem: ClaimProblem | None = None
    method: str | None = None
    methods: tuple[str, ...] = ()
    profile: ProfileView | None = None


class Claims:
    """The claim conversation's domain service, one per process, built from Settings."""

    def __init__(self, cipher: Cipher, methods: tuple[str, ...], ttl: timedelta) -> None:
        self.cipher, self.methods, self.ttl = cipher, methods, ttl

    async def active(self, resident_id: int, now: datetime) -> ClaimSession | None:
        """The live session; an idle one is ended first."""
        session = await ClaimSession.get_or_none(resident_id=resident_id)
        if session is not None and session.touched_at < now - self.ttl:
            await session.delete()
            return None
        return session

    async def start(self, resident_id: int, now: datetime) -> ClaimReply:
        profile, _ = await RewardProfile.get_or_create(resident_id=resident_id)
        if profile.verified_at is None:
            return await self._go(resident_id, ClaimStep.PHONE, now)
        if profile.payout_account_enc is None:
            return await self._go(resident_id, ClaimStep.METHOD, now)
        await ClaimSession.filter(resident_id=resident_id).delete()
        return ClaimReply(ClaimPrompt.SUMMARY, profile=self._view(profile))

    async def change_account(self, resident_id: int, now: datetime) -> ClaimReply:
        profile, _ = await RewardProfile.get_or_create(resident_id=resident_id)
        step = ClaimStep.PHONE if profile.verified_at is None else ClaimStep.METHOD
        return await self._go(resident_id, step, now)

    async def cancel(self, resident_id: int) -> bool:
        return bool(await ClaimSession.filter(resident_id=resident_id).delete())

    async def take_contact(
        self, session: ClaimSession, phone: str, contact_user_id: int | None, now: datetime
    ) -> ClaimReply:
        """Only the resident's own number counts: a forwarded contact is someone else's."""
        if session.step != ClaimStep.PHONE:
            return self._ask(session, ClaimProblem.USE_BUTTON)
        if contact_user_id != session.resident_id:
            return self._ask(session, ClaimProblem.NOT_OWN_CONTACT)
        normalized = normalize_phone(phone)
        if normalized is None:
            return self._ask(session, ClaimProblem.BAD_PHONE)
        await RewardProfile.filter(resident_id=session.resident_id).update(phone_enc=self.cipher.encrypt(normalized))
        return await self._go(session.resident_id, ClaimStep.NAME, now)

    async def take_text(self, session: ClaimSession, text: str, now: datetime) -> ClaimReply:
        if session.step == ClaimStep.NAME:
            name = normalize_name(text)
            if name is None:
                return self._ask(session, ClaimProblem.BAD_NAME)
            await RewardProfile.filter(resident_id=session.resident_id).update(
                real_name_enc=self.cipher.encrypt(name), verified_at=now
            )
            return await self._after_verification(session.resident_id, now)
        if session.step == ClaimStep.ACCOUNT and session.payout_method:
            account = normalize_account(session.payout_method, text)
            if account is None:
                return self._ask(session, ClaimProblem.BAD_ACCOUNT)
            await RewardProfile.filter(resident_id=session.resident_id).update(
                payout_method=session.payout_method, payout_account_enc=self.cipher.encrypt(account)
            )
            return await self._finish(session.resident_id)
        return self._ask(session, ClaimProblem.USE_BUTTON)

    async def choose_method(self, session: ClaimSession, method: str, now: datetime) -> ClaimReply:
        if session.step != ClaimStep.METHOD or method not in self.methods:
            return self._ask(session, ClaimProblem.USE_BUTTON)
        session.payout_method, session.step, session.touched_at = method, ClaimStep.ACCOUNT, now
        await session.save(update_fields=["payout_method", "step", "touched_at"])
        return self._ask(session)

    async def set_leaderboard(self, resident_id: int, opt_in: bool) -> ProfileView:
        profile, _ = await RewardProfile.get_or_create(resident_id=resident_id)
        profile.leaderboard_opt_in = opt_in
        await profile.save(update_fields=["leaderboard_opt_in", "updated_at"])
        return self._view(profile)

    async def view(self, resident_id: int) -> ProfileView:
        profile, _ = await RewardProfile.get_or_create(resident_id=resident_id)
        return self._view(profile)

    async def _after_verification(self, resident_id: int, now: datetime) -> ClaimReply:
        profile = await RewardProfile.get(resident_id=resident_id)
        if profile.payout_account_enc is None:
            return await self._go(resident_id, ClaimStep.METHOD, now)
        return await self._finish(resident_id)

    async def _finish(self, resident_id: int) -> ClaimReply:
        await ClaimSession.filter(resident_id=resident_id).delete()
        return ClaimReply(ClaimPrompt.DONE, profile=self._view(await RewardProfile.get(resident_id=resident_id)))

    async def _go(self, resident_id: int, step: ClaimStep, now: datetime) -> ClaimReply:
        defaults = {"step": step, "payout_method": None, "touched_at": now}
        try:
            session, _ = await ClaimSession.update_or_create(defaults=defaults, resident_id=resident_id)
        except IntegrityError:  # a second update raced us to create it
            session = await ClaimSession.get(resident_id=resident_id)
            await session.update_from_dict(defaults).save()
        return self._ask(session)

    def _ask(self, session: ClaimSession, problem: ClaimProblem | None = None) -> ClaimReply:
        return ClaimReply(ASK_FOR_STEP[ClaimStep(session.step)], problem, session.payout_method, self.methods)

    def _view(self, profile: RewardProfile) -> ProfileView:
        phone, account = self.cipher.decrypt(profile.phone_enc), self.cipher.decrypt(profile.payout_account_enc)
        return ProfileView(
            verified=profile.verified_at is not None,
            name=self.cipher.decrypt(profile.real_name_enc),
            phone=mask_phone(phone) if phone else None,
            method=profile.payout_method,
            account=mask_account(account) if account else None,
            leaderboard_opt_in=profile.leaderboard_opt_in,
        )
