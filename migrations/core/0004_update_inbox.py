from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields


class Migration(migrations.Migration):
    dependencies = [('core', '0003_prompt_message')]

    initial = False

    operations = [
        ops.AddField(
            model_name='ProcessedUpdate',
            name='body',
            field=fields.JSONField(null=True),
        ),
        ops.AddField(
            model_name='ProcessedUpdate',
            name='started_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
    ]
