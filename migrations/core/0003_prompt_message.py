from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields


class Migration(migrations.Migration):
    dependencies = [('core', '0002_duplicates')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Resident',
            name='prompt_message_id',
            field=fields.BigIntField(null=True),
        ),
    ]
