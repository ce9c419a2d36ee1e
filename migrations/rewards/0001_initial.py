from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('core', '0002_duplicates'), ('staff', '0001_initial')]

    initial = True

    operations = [
        ops.CreateModel(
            name='Account',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('kind', fields.CharField(max_length=16)),
                ('key', fields.CharField(default='', max_length=32)),
                ('balance_fen', fields.BigIntField(default=0, db_default=0)),
            ],
            options={'table': 'ledger_account', 'app': 'rewards', 'unique_together': (('kind', 'key'),), 'pk_attr': 'id', 'table_description': 'A ledger account. Its balance is the sum of its entries, cached in `balance_fen`.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='AckPoints',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('resident', fields.ForeignKeyField('core.Resident', source_field='resident_id', db_constraint=True, to_field='id', related_name='ack_points', on_delete=OnDelete.CASCADE)),
                ('report', fields.ForeignKeyField('core.Report', source_field='report_id', db_constraint=True, to_field='id', related_name='ack_points', on_delete=OnDelete.CASCADE)),
                ('points', fields.IntField()),
                ('reason', fields.CharField(max_length=16)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'reward_ack_points', 'app': 'rewards', 'unique_together': (('resident', 'report'),), 'pk_attr': 'id', 'table_description': 'Acknowledgement points for residents who backed a rewarded hazard without being first.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Campaign',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('name', fields.CharField(max_length=128)),
                ('starts_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
                ('ends_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
                ('categories', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('multiplier_pct', fields.IntField(default=100)),
                ('created_by', fields.ForeignKeyField('staff.StaffUser', source_field='created_by_id', null=True, db_constraint=True, to_field='id', related_name='reward_campaigns', on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'reward_campaign', 'app': 'rewards', 'pk_attr': 'id', 'table_description': 'A period in which reports of some categories earn a multiple of the usual amount.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='BudgetPool',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('name', fields.CharField(max_length=128)),
                ('starts_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
                ('ends_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
                ('campaign', fields.ForeignKeyField('rewards.Campaign', source_field='campaign_id', null=True, db_constraint=True, to_field='id', related_name='pools', on_delete=OnDelete.SET_NULL)),
                ('created_by', fields.ForeignKeyField('staff.StaffUser', source_field='created_by_id', null=True, db_constraint=True, to_field='id', related_name='reward_pools', on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'reward_budget_pool', 'app': 'rewards', 'pk_attr': 'id', 'table_description': 'Money set aside for one period, or for one campaign, that grants draw from.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ClaimSession',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('resident', fields.OneToOneField('core.Resident', source_field='resident_id', db_constraint=True, to_field='id', related_name='claim_session', on_delete=OnDelete.CASCADE)),
                ('step', fields.CharField(max_length=16)),
                ('payout_method', fields.CharField(null=True, max_length=16)),
                ('touched_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'reward_claim_session', 'app': 'rewards', 'pk_attr': 'id', 'table_description': 'The /claim conversation in progress: `step` is its state (like the intake Draft).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='PayoutBatch',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('state', fields.CharField(db_index=True, max_length=16)),
                ('currency', fields.CharField(max_length=8)),
                ('min_fen', fields.IntField()),
                ('total_fen', fields.BigIntField(default=0)),
                ('reference', fields.CharField(default='', max_length=128)),
                ('created_by', fields.ForeignKeyField('staff.StaffUser', source_field='created_by_id', null=True, db_constraint=True, to_field='id', related_name='reward_batches', on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('exported_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('paid_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'reward_payout_batch', 'app': 'rewards', 'pk_attr': 'id', 'table_description': 'Payable balances collected for the finance system, exported as CSV, then marked paid.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='PayoutLine',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('batch', fields.ForeignKeyField('rewards.PayoutBatch', source_field='batch_id', db_constraint=True, to_field='id', related_name='lines', on_delete=OnDelete.CASCADE)),
                ('resident', fields.ForeignKeyField('core.Resident', source_field='resident_id', db_constraint=True, to_field='id', related_name='payout_lines', on_delete=OnDelete.RESTRICT)),
                ('gross_fen', fields.IntField()),
                ('offset_fen', fields.IntField(default=0)),
                ('net_fen', fields.IntField()),
                ('payout_method', fields.CharField(max_length=16)),
                ('payout_account_enc', fields.TextField(unique=False)),
                ('real_name_enc', fields.TextField(unique=False)),
                ('phone_enc', fields.TextField(unique=False)),
                ('notified_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'reward_payout_line', 'app': 'rewards', 'unique_together': (('batch', 'resident'),), 'pk_attr': 'id', 'table_description': 'One resident in a batch: their grants, less any debt, paid to the account they gave.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='RewardGrant',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('report', fields.OneToOneField('core.Report', source_field='report_id', db_constraint=True, to_field='id', related_name='reward_grant', on_delete=OnDelete.RESTRICT)),
                ('resident', fields.ForeignKeyField('core.Resident', source_field='resident_id', db_constraint=True, to_field='id', related_name='reward_grants', on_delete=OnDelete.RESTRICT)),
                ('state', fields.CharField(db_index=True, max_length=16)),
                ('base_fen', fields.IntField()),
                ('multiplier_pct', fields.IntField(default=100, db_default=100)),
                ('amount_fen', fields.IntField()),
                ('campaign', fields.ForeignKeyField('rewards.Campaign', source_field='campaign_id', null=True, db_constraint=True, to_field='id', related_name='grants', on_delete=OnDelete.SET_NULL)),
                ('pool', fields.ForeignKeyField('rewards.BudgetPool', source_field='pool_id', null=True, db_constraint=True, to_field='id', related_name='grants', on_delete=OnDelete.RESTRICT)),
                ('reason', fields.TextField(default='', unique=False)),
                ('signals', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('decided_by', fields.CharField(default='', max_length=64)),
                ('created_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
                ('granted_at', fields.DatetimeField(null=True, db_index=True, auto_now=False, auto_now_add=False)),
                ('reminded_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('closed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'reward_grant', 'app': 'rewards', 'pk_attr': 'id', 'table_description': 'The reward decision for one report. The one-to-one key makes a second grant impossible.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='LedgerTransaction',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('kind', fields.CharField(db_index=True, max_length=16)),
                ('memo', fields.TextField(default='', unique=False)),
                ('actor', fields.CharField(default='', max_length=64)),
                ('grant', fields.ForeignKeyField('rewards.RewardGrant', source_field='grant_id', null=True, db_constraint=True, to_field='id', related_name='transactions', on_delete=OnDelete.RESTRICT)),
                ('batch', fields.ForeignKeyField('rewards.PayoutBatch', source_field='batch_id', null=True, db_constraint=True, to_field='id', related_name='transactions', on_delete=OnDelete.RESTRICT)),
                ('created_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'ledger_transaction', 'app': 'rewards', 'pk_attr': 'id', 'table_description': 'One grant, reversal, lapse, payout or funding: a set of entries that sum to zero.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Entry',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('txn', fields.ForeignKeyField('rewards.LedgerTransaction', source_field='txn_id', db_constraint=True, to_field='id', related_name='entries', on_delete=OnDelete.RESTRICT)),
                ('account', fields.ForeignKeyField('rewards.Account', source_field='account_id', db_constraint=True, to_field='id', related_name='entries', on_delete=OnDelete.RESTRICT)),
                ('amount_fen', fields.BigIntField()),
            ],
            options={'table': 'ledger_entry', 'app': 'rewards', 'pk_attr': 'id', 'table_description': 'One leg of a transaction: a positive amount flows into the account, a negative one out.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='PayoutItem',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('batch', fields.ForeignKeyField('rewards.PayoutBatch', source_field='batch_id', db_constraint=True, to_field='id', related_name='items', on_delete=OnDelete.CASCADE)),
                ('line', fields.ForeignKeyField('rewards.PayoutLine', source_field='line_id', db_constraint=True, to_field='id', related_name='items', on_delete=OnDelete.CASCADE)),
                ('grant', fields.OneToOneField('rewards.RewardGrant', source_field='grant_id', db_constraint=True, to_field='id', related_name='payout_item', on_delete=OnDelete.RESTRICT)),
                ('amount_fen', fields.IntField()),
            ],
            options={'table': 'reward_payout_item', 'app': 'rewards', 'pk_attr': 'id', 'table_description': 'A grant in a batch. The one-to-one key on the grant keeps it out of every other batch.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='RewardProfile',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('resident', fields.OneToOneField('core.Resident', source_field='resident_id', db_constraint=True, to_field='id', related_name='reward_profile', on_delete=OnDelete.CASCADE)),
                ('phone_enc', fields.TextField(null=True, unique=False)),
                ('real_name_enc', fields.TextField(null=True, unique=False)),
                ('verified_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('payout_method', fields.CharField(null=True, max_length=16)),
                ('payout_account_enc', fields.TextField(null=True, unique=False)),
                ('leaderboard_opt_in', fields.BooleanField(default=False, db_default=False)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'reward_profile', 'app': 'rewards', 'pk_attr': 'id', 'table_description': 'What a resident gave in /claim (encrypted at rest) and their leaderboard choice.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='RulesVersion',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('text', fields.TextField(unique=False)),
                ('created_by', fields.ForeignKeyField('staff.StaffUser', source_field='created_by_id', null=True, db_constraint=True, to_field='id', related_name='reward_rules', on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'reward_rules_version', 'app': 'rewards', 'pk_attr': 'id', 'table_description': 'A rules file saved from the admin editor. The newest wins over the configured file.'},
            bases=['Model'],
        ),
    ]
