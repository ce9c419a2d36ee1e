"""Server-side staff sessions (logout and deactivation end them at once) and the login throttle's streaks."""

from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('core', '0006_state_history'), ('staff', '0002_audit_event')]

    initial = False

    operations = [
        ops.CreateModel(
            name='LoginStreak',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('username', fields.CharField(max_length=64)),
                ('address', fields.CharField(max_length=45)),
                ('attempts', fields.IntField()),
                ('next_allowed_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'login_streak', 'app': 'staff', 'unique_together': (('username', 'address'),), 'pk_attr': 'id', 'table_description': 'Login attempts of one username from one client address: the login throttle, shared by every process.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='StaffSession',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('token_hash', fields.CharField(unique=True, max_length=64)),
                ('staff', fields.ForeignKeyField('staff.StaffUser', source_field='staff_id', db_constraint=True, to_field='id', related_name='sessions', on_delete=OnDelete.CASCADE)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('last_seen_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'staff_session', 'app': 'staff', 'pk_attr': 'id', 'table_description': 'A logged-in browser, named by the hash of the random token its session cookie carries.'},
            bases=['Model'],
        ),
    ]
