"""The update pipeline: at-least-once inbox rows (chat, done, feeder bookkeeping), idempotent intake steps
(the draft's version and photo count, the report's source update), the resident's awaiting exchange; the
live prompt leaves the resident row for Redis."""

from tortoise import fields, migrations
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [('core', '0011_status_change_by_report')]

    initial = False

    operations = [
        ops.AddField(model_name='ProcessedUpdate', name='chat_id', field=fields.BigIntField(null=True)),
        ops.AddField(
            model_name='ProcessedUpdate',
            name='done_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='ProcessedUpdate', name='attempts', field=fields.SmallIntField(default=0, db_default=0)
        ),
        ops.AddField(
            model_name='ProcessedUpdate',
            name='fed_until',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        # Updates a handler had started were at-most-once before: they count as done, their bodies go.
        ops.RunSQL("UPDATE processed_update SET done_at = started_at, body = NULL WHERE started_at IS NOT NULL"),
        ops.RemoveField(model_name='ProcessedUpdate', name='started_at'),
        # The feeder and every chat's queue read only the few rows still to do.
        ops.RunSQL(
            "CREATE INDEX processed_update_to_do ON processed_update (received_at) WHERE done_at IS NULL",
            reverse_sql="DROP INDEX processed_update_to_do",
        ),
        ops.AddField(model_name='Draft', name='photo_count', field=fields.SmallIntField(default=0, db_default=0)),
        ops.RunSQL("UPDATE draft SET photo_count = (SELECT COUNT(*) FROM photo WHERE photo.draft_id = draft.id)"),
        # Drafts open during the upgrade have none: intake then reads their photos' hashes as before.
        ops.AddField(model_name='Draft', name='phashes', field=fields.TextField(default="", db_default="")),
        ops.AddField(model_name='Draft', name='last_update_id', field=fields.BigIntField(null=True)),
        ops.AddField(
            model_name='Report', name='source_update_id', field=fields.BigIntField(null=True, db_index=True)
        ),
        ops.AddField(model_name='Resident', name='awaiting', field=fields.CharField(max_length=128, null=True)),
        # The live prompt moved to Redis (bot/telegram/prompts.py): not a row rewritten at every step.
        ops.RemoveField(model_name='Resident', name='prompt_message_id'),
    ]
