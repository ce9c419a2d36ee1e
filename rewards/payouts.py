"""Payout batches: collect payable grants of claimed residents, export CSV, mark paid.

A grant enters at most one batch, ever: `reward_payout_item.grant_id` is unique (a cancelled batch
deletes its items, which frees them). A resident's debt (grants reversed after payment) is set
against what the batch pays them.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from datetime import datetime

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Subquery
from tortoise.transactions import in_transaction

from bot.i18n import N_
from rewards import ledger
from rewards.crypto import Cipher
from rewards.ledger import AccountKind, TxnKind
from rewards.models import Account, PayoutBatch, PayoutItem, PayoutLine, RewardGrant, RewardProfile
from rewards.rules import MINOR_UNITS
from rewards.states import BATCHES, GRANTS, BatchState, GrantState

UNPAID_STATES = (BatchState.OPEN, BatchState.EXPORTED)
CSV_COLUMNS = [
    "batch",
    "line",
    "resident_id",
    "real_name",
    "phone",
    "method",
    "account",
    "amount",
    "amount_fen",
    "currency",
    "grants",
]


class BatchError(ValueError):
    """The batch cannot do this; the message is an English source string."""


async def claimed_profiles() -> dict[int, RewardProfile]:
    """Residents who verified a real name and gave a payout account: the only ones paid."""
    profiles = await RewardProfile.filter(verified_at__isnull=False, payout_account_enc__isnull=False)
    return {profile.resident_id: profile for profile in profiles}


async def create_batch(*, min_fen: int, currency: str, created_by_id: int | None, now: datetime) -> PayoutBatch:
    """One line per claimed resident whose payable grants, less debt, reach `min_fen`."""
    profiles = await claimed_profiles()
    rows = await RewardGrant.filter(
        state=GrantState.GRANTED,
        resident_id__in=list(profiles),
        id__not_in=Subquery(PayoutItem.all().values("grant_id")),
    ).values("resident_id")
    residents = sorted({int(row["resident_id"]) for row in rows})  # one lock order for every writer
    for resident_id in residents:  # accounts exist before the transaction locks them
        await ledger.account(AccountKind.PAYABLE, resident_id)
    try:
        async with in_transaction():
            batch = await PayoutBatch.create(
                state=BatchState.OPEN, currency=currency, min_fen=min_fen, created_by_id=created_by_id, created_at=now
            )
            await BATCHES.born(batch, actor=f"staff:{created_by_id}" if created_by_id else "system", now=now)
            total = 0
            for resident_id in residents:
                total += await _add_line(batch, profiles[resident_id], min_fen)
            if total == 0:
                raise BatchError(N_("Nothing to pay: no claimed resident has enough payable."))
            batch.total_fen = total
            await batch.save(update_fields=["total_fen"])
    except IntegrityError as error:
        raise BatchError(N_("Another batch took some of these rewards at the same time. Try again.")) from error
    return batch


async def _add_line(batch: PayoutBatch, profile: RewardProfile, min_fen: int) -> int:
    """Lock the resident, re-read their payable grants, add a line if it is worth paying."""
    resident_id: int = profile.resident_id
    await ledger.lock(await ledger.account(AccountKind.PAYABLE, resident_id))
    grants = await RewardGrant.filter(
        state=GrantState.GRANTED, resident_id=resident_id, id__not_in=Subquery(PayoutItem.all().values("grant_id"))
    ).order_by("id")
    gross = sum(grant.amount_fen for grant in grants)
    offset = min(gross, await open_debt_fen(resident_id))
    if gross - offset < min_fen:
        return 0
    line = await PayoutLine.create(
        batch=batch,
        resident_id=resident_id,
        gross_fen=gross,
        offset_fen=offset,
        net_fen=gross - offset,
        payout_method=profile.payout_method or "",
        payout_account_enc=profile.payout_account_enc or "",
        real_name_enc=profile.real_name_enc or "",
        phone_enc=profile.phone_enc or "",
    )
    await PayoutItem.bulk_create(
        [PayoutItem(batch=batch, line=line, grant=grant, amount_fen=grant.amount_fen) for grant in grants]
    )
    return gross - offset


async def open_debt_fen(resident_id: int) -> int:
    """What the resident owes, less what unpaid batches already set against it."""
    owed = -await ledger.balance_of(AccountKind.RECEIVABLE, resident_id)
    reserved = await ledger.sum_of(
        PayoutLine.filter(resident_id=resident_id, batch__state__in=UNPAID_STATES), "offset_fen"
    )
    return max(0, owed - reserved)


async def export_csv(batch_id: int, cipher: Cipher, *, actor: str, now: datetime) -> str:
    """The finance system's file: one row per resident, names and accounts decrypted."""
    batch = await _batch(batch_id)
    if batch.state == BatchState.CANCELLED:
        raise BatchError(N_("This batch was cancelled."))
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for line in await PayoutLine.filter(batch_id=batch.id).order_by("id"):
        grant_ids = await PayoutItem.filter(line_id=line.id).order_by("grant_id").values_list("grant_id", flat=True)
        units, minor = divmod(line.net_fen, MINOR_UNITS)
        writer.writerow(
            [
                _cell(value)
                for value in (
                    batch.id,
                    line.id,
                    line.resident_id,
                    cipher.decrypt(line.real_name_enc) or "",
                    cipher.decrypt(line.phone_enc) or "",
                    line.payout_method,
                    cipher.decrypt(line.payout_account_enc) or "",
                    f"{units}.{minor:02d}",
                    line.net_fen,
                    batch.currency,
                    " ".join(str(gid) for gid in grant_ids),
                )
            ]
        )
    if batch.state == BatchState.OPEN:  # a second download of the same file changes nothing
        await BATCHES.move(batch.id, BatchState.EXPORTED, actor=actor, now=now, exported_at=now)
    return out.getvalue()


def _cell(value: object) -> str:
    """Neutralise spreadsheet formulas: residents typed the names and accounts."""
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


async def mark_paid(batch_id: int, *, reference: str, actor: str, now: datetime) -> PayoutBatch:
    """Finance paid the file: book each line (payable -> paid out, the debt part -> receivable)."""
    if not reference.strip():
        raise BatchError(N_("Give the finance system's payment reference."))
    batch = await _batch(batch_id)
    paid_out = await ledger.account(AccountKind.PAID_OUT)
    lines = await PayoutLine.filter(batch_id=batch.id).order_by("resident_id")
    for line in lines:
        await ledger.account(AccountKind.RECEIVABLE, line.resident_id)
    async with in_transaction():
        batch = await PayoutBatch.select_for_update().get(id=batch_id)
        if batch.state != BatchState.EXPORTED:
            raise BatchError(N_("Export the CSV for finance before marking the batch paid."))
        for line in lines:
            await _pay_line(batch, line, paid_out, actor=actor, now=now)
        await BATCHES.move(batch.id, BatchState.PAID, actor=actor, now=now, reference=reference.strip(), paid_at=now)
    return await PayoutBatch.get(id=batch_id)


async def _pay_line(batch: PayoutBatch, line: PayoutLine, paid_out: Account, *, actor: str, now: datetime) -> None:
    resident_id: int = line.resident_id
    payable = await ledger.lock(await ledger.account(AccountKind.PAYABLE, resident_id))
    receivable = await ledger.account(AccountKind.RECEIVABLE, resident_id)
    await ledger.post(
        TxnKind.PAYOUT,
        [(payable, -line.gross_fen), (paid_out, line.net_fen), (receivable, line.offset_fen)],
        now=now,
        memo=f"batch {batch.id}",
        actor=actor,
        batch_id=batch.id,
    )
    for row in await PayoutItem.filter(line_id=line.id).order_by("grant_id").values("grant_id"):
        memo = f"batch {batch.id}"
        await GRANTS.move(int(row["grant_id"]), GrantState.PAID, actor=actor, now=now, why=memo, closed_at=now)


async def cancel_batch(batch_id: int, *, actor: str, now: datetime) -> PayoutBatch:
    """Give the grants back to the next batch (only before it is paid)."""
    async with in_transaction():
        batch = await PayoutBatch.select_for_update().get_or_none(id=batch_id)
        if batch is None or batch.state not in UNPAID_STATES:
            raise BatchError(N_("Only an unpaid batch can be cancelled."))
        await PayoutItem.filter(batch_id=batch.id).delete()
        await PayoutLine.filter(batch_id=batch.id).delete()
        await BATCHES.move(batch.id, BatchState.CANCELLED, actor=actor, now=now)
    return await PayoutBatch.get(id=batch_id)


async def lines_to_notify(batch_id: int, now: datetime) -> list[PayoutLine]:
    """Lines of a paid batch whose resident was not told yet, each claimed once (safe to rerun)."""
    claimed = []
    for line in await PayoutLine.filter(batch_id=batch_id, batch__state=BatchState.PAID, notified_at__isnull=True):
        if await PayoutLine.filter(id=line.id, notified_at__isnull=True).update(notified_at=now):
            claimed.append(line)
    return claimed


async def _batch(batch_id: int) -> PayoutBatch:
    batch = await PayoutBatch.get_or_none(id=batch_id)
    if batch is None:
        raise BatchError(N_("No such batch."))
    return batch


async def batch_grant_ids(batch_id: int) -> dict[int, list[int]]:
    """Grant ids per line, for the batch page."""
    found: dict[int, list[int]] = defaultdict(list)
    for line_id, grant_id in await PayoutItem.filter(batch_id=batch_id).values_list("line_id", "grant_id"):
        found[int(line_id)].append(int(grant_id))
    return found
