"""Rewards persistence: campaigns, budget pools, the double-entry ledger, grants, payouts, claims.

Money is always an integer number of the currency's smallest unit (fen for CNY), never a float.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:  # imported at runtime, tortoise would register them in this app too
    from bot.admin.models import StaffUser
    from bot.reports.models import Report, Resident


class Campaign(Model):
    """A period in which reports of some categories earn a multiple of the usual amount.

    The broadcasts feature announces campaigns and refers to them by integer id.
    """

    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=128)
    starts_at = fields.DatetimeField(db_index=True)
    ends_at = fields.DatetimeField(db_index=True)  # exclusive
    categories: list[str] = fields.JSONField(default=list)  # category keys, empty = every category
    multiplier_pct = fields.IntField(default=100)  # 200 doubles the amount
    created_by: fields.ForeignKeyNullableRelation[StaffUser] = fields.ForeignKeyField(
        "staff.StaffUser", related_name="reward_campaigns", null=True, on_delete=fields.SET_NULL
    )
    created_at = fields.DatetimeField()

    class Meta:
        table = "reward_campaign"


class BudgetPool(Model):
    """Money set aside for one period, or for one campaign, that grants draw from."""

    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=128)
    starts_at = fields.DatetimeField(db_index=True)
    ends_at = fields.DatetimeField(db_index=True)  # exclusive
    campaign: fields.ForeignKeyNullableRelation[Campaign] = fields.ForeignKeyField(
        "rewards.Campaign", related_name="pools", null=True, on_delete=fields.SET_NULL
    )
    created_by: fields.ForeignKeyNullableRelation[StaffUser] = fields.ForeignKeyField(
        "staff.StaffUser", related_name="reward_pools", null=True, on_delete=fields.SET_NULL
    )
    created_at = fields.DatetimeField()

    class Meta:
        table = "reward_budget_pool"


class Account(Model):
    """A ledger account. Its balance is the sum of its entries, cached in `balance_fen`."""

    id = fields.IntField(primary_key=True)
    kind = fields.CharField(max_length=16)  # ledger.AccountKind
    key = fields.CharField(max_length=32, default="")  # pool or resident id, "" for system accounts
    # Updated in the same database transaction as the entries, so the invariant test can compare.
    balance_fen = fields.BigIntField(default=0, db_default=0)

    class Meta:
        table = "ledger_account"
        unique_together = (("kind", "key"),)


class LedgerTransaction(Model):
    """One grant, reversal, lapse, payout or funding: a set of entries that sum to zero."""

    id = fields.IntField(primary_key=True)
    kind = fields.CharField(max_length=16, db_index=True)  # ledger.TxnKind
    memo = fields.TextField(default="")
    actor = fields.CharField(max_length=64, default="")  # "staff:<id>" or "system:<job>"
    grant: fields.ForeignKeyNullableRelation[RewardGrant] = fields.ForeignKeyField(
        "rewards.RewardGrant", related_name="transactions", null=True, on_delete=fields.RESTRICT
    )
    batch: fields.ForeignKeyNullableRelation[PayoutBatch] = fields.ForeignKeyField(
        "rewards.PayoutBatch", related_name="transactions", null=True, on_delete=fields.RESTRICT
    )
    created_at = fields.DatetimeField(db_index=True)

    entries: fields.ReverseRelation[Entry]

    class Meta:
        table = "ledger_transaction"


class Entry(Model):
    """One leg of a transaction: a positive amount flows into the account, a negative one out."""

    id = fields.IntField(primary_key=True)
    txn: fields.ForeignKeyRelation[LedgerTransaction] = fields.ForeignKeyField(
        "rewards.LedgerTransaction", related_name="entries", on_delete=fields.RESTRICT
    )
    account: fields.ForeignKeyRelation[Account] = fields.ForeignKeyField(
        "rewards.Account", related_name="entries", on_delete=fields.RESTRICT
    )
    amount_fen = fields.BigIntField()

    class Meta:
        table = "ledger_entry"


class RewardGrant(Model):
    """The reward decision for one report. The one-to-one key makes a second grant impossible."""

    id = fields.IntField(primary_key=True)
    report: fields.OneToOneRelation[Report] = fields.OneToOneField(
        "core.Report", related_name="reward_grant", on_delete=fields.RESTRICT
    )
    resident: fields.ForeignKeyRelation[Resident] = fields.ForeignKeyField(
        "core.Resident", related_name="reward_grants", on_delete=fields.RESTRICT
    )
    state = fields.CharField(max_length=16, db_index=True)  # grants.GrantState
    base_fen = fields.IntField()  # from the rules table, before the campaign multiplier
    multiplier_pct = fields.IntField(default=100, db_default=100)
    amount_fen = fields.IntField()  # owed once granted: multiplied, then clamped by the monthly cap
    campaign: fields.ForeignKeyNullableRelation[Campaign] = fields.ForeignKeyField(
        "rewards.Campaign", related_name="grants", null=True, on_delete=fields.SET_NULL
    )
    pool: fields.ForeignKeyNullableRelation[BudgetPool] = fields.ForeignKeyField(
        "rewards.BudgetPool", related_name="grants", null=True, on_delete=fields.RESTRICT
    )
    reason = fields.TextField(default="")  # why ineligible, rejected or reversed
    signals: list[dict[str, Any]] = fields.JSONField(default=list)  # fraud signals: [{"kind", "detail"}]
    decided_by = fields.CharField(max_length=64, default="")  # who released, rejected or reversed
    created_at = fields.DatetimeField(db_index=True)
    granted_at = fields.DatetimeField(null=True, db_index=True)  # when the money was booked
    reminded_at = fields.DatetimeField(null=True)  # the lapse reminder was sent
    closed_at = fields.DatetimeField(null=True)  # paid, lapsed, reversed or rejected
    # FK column attributes, declared for the type checker only
    report_id: int
    resident_id: int
    campaign_id: int | None
    pool_id: int | None

    class Meta:
        table = "reward_grant"


class PayoutBatch(Model):
    """Payable balances collected for the finance system, exported as CSV, then marked paid."""

    id = fields.IntField(primary_key=True)
    state = fields.CharField(max_length=16, db_index=True)  # payouts.BatchState
    currency = fields.CharField(max_length=8)
    min_fen = fields.IntField()
    total_fen = fields.BigIntField(default=0)
    reference = fields.CharField(max_length=128, default="")  # the finance system's payment reference
    created_by: fields.ForeignKeyNullableRelation[StaffUser] = fields.ForeignKeyField(
        "staff.StaffUser", related_name="reward_batches", null=True, on_delete=fields.SET_NULL
    )
    created_at = fields.DatetimeField()
    exported_at = fields.DatetimeField(null=True)
    paid_at = fields.DatetimeField(null=True)

    lines: fields.ReverseRelation[PayoutLine]

    class Meta:
        table = "reward_payout_batch"


class PayoutLine(Model):
    """One resident in a batch: their grants, less any debt, paid to the account they gave."""

    id = fields.IntField(primary_key=True)
    batch: fields.ForeignKeyRelation[PayoutBatch] = fields.ForeignKeyField(
        "rewards.PayoutBatch", related_name="lines", on_delete=fields.CASCADE
    )
    resident: fields.ForeignKeyRelation[Resident] = fields.ForeignKeyField(
        "core.Resident", related_name="payout_lines", on_delete=fields.RESTRICT
    )
    gross_fen = fields.IntField()  # the grants in this line
    offset_fen = fields.IntField(default=0)  # set against the resident's debt
    net_fen = fields.IntField()  # paid out
    payout_method = fields.CharField(max_length=16)
    payout_account_enc = fields.TextField()  # Fernet tokens, copied from the profile at batch time
    real_name_enc = fields.TextField()
    phone_enc = fields.TextField()
    notified_at = fields.DatetimeField(null=True)
    batch_id: int  # FK column attributes, declared for the type checker only
    resident_id: int

    class Meta:
        table = "reward_payout_line"
        unique_together = (("batch", "resident"),)


class PayoutItem(Model):
    """A grant in a batch. The one-to-one key on the grant keeps it out of every other batch."""

    id = fields.IntField(primary_key=True)
    batch: fields.ForeignKeyRelation[PayoutBatch] = fields.ForeignKeyField(
        "rewards.PayoutBatch", related_name="items", on_delete=fields.CASCADE
    )
    line: fields.ForeignKeyRelation[PayoutLine] = fields.ForeignKeyField(
        "rewards.PayoutLine", related_name="items", on_delete=fields.CASCADE
    )
    grant: fields.OneToOneRelation[RewardGrant] = fields.OneToOneField(
        "rewards.RewardGrant", related_name="payout_item", on_delete=fields.RESTRICT
    )
    amount_fen = fields.IntField()
    grant_id: int  # the FK's column attribute, declared for the type checker only

    class Meta:
        table = "reward_payout_item"


class RewardProfile(Model):
    """What a resident gave in /claim (encrypted at rest) and their leaderboard choice."""

    id = fields.IntField(primary_key=True)
    resident: fields.OneToOneRelation[Resident] = fields.OneToOneField(
        "core.Resident", related_name="reward_profile", on_delete=fields.CASCADE
    )
    phone_enc = fields.TextField(null=True)
    real_name_enc = fields.TextField(null=True)
    verified_at = fields.DatetimeField(null=True)  # phone (own contact) and name both given
    payout_method = fields.CharField(max_length=16, null=True)
    payout_account_enc = fields.TextField(null=True)
    leaderboard_opt_in = fields.BooleanField(default=False, db_default=False)
    updated_at = fields.DatetimeField(auto_now=True)
    resident_id: int  # the FK's column attribute, declared for the type checker only

    class Meta:
        table = "reward_profile"


class ClaimSession(Model):
    """The /claim conversation in progress: `step` is its state (like the intake Draft)."""

    id = fields.IntField(primary_key=True)
    resident: fields.OneToOneRelation[Resident] = fields.OneToOneField(
        "core.Resident", related_name="claim_session", on_delete=fields.CASCADE
    )
    step = fields.CharField(max_length=16)  # claims.ClaimStep
    payout_method = fields.CharField(max_length=16, null=True)  # chosen, account not yet typed
    touched_at = fields.DatetimeField()
    resident_id: int  # the FK's column attribute, declared for the type checker only

    class Meta:
        table = "reward_claim_session"


class AckPoints(Model):
    """Acknowledgement points for residents who backed a rewarded hazard without being first."""

    id = fields.IntField(primary_key=True)
    resident: fields.ForeignKeyRelation[Resident] = fields.ForeignKeyField(
        "core.Resident", related_name="ack_points", on_delete=fields.CASCADE
    )
    report: fields.ForeignKeyRelation[Report] = fields.ForeignKeyField(
        "core.Report", related_name="ack_points", on_delete=fields.CASCADE
    )
    points = fields.IntField()
    reason = fields.CharField(max_length=16)  # "follower" or "duplicate"
    created_at = fields.DatetimeField()

    class Meta:
        table = "reward_ack_points"
        unique_together = (("resident", "report"),)


class RulesVersion(Model):
    """A rules file saved from the admin editor. The newest wins over the configured file."""

    id = fields.IntField(primary_key=True)
    text = fields.TextField()
    created_by: fields.ForeignKeyNullableRelation[StaffUser] = fields.ForeignKeyField(
        "staff.StaffUser", related_name="reward_rules", null=True, on_delete=fields.SET_NULL
    )
    created_at = fields.DatetimeField()

    class Meta:
        table = "reward_rules_version"
