"""The server secret and the DRAW-v1.1 sealed value are stored sealed with PERSONAL_DATA_KEY (issue 17, item 8;
ADR 0013): this seals the plain values already in the database. Reversible: going back opens them again.

Drawn draws' secrets are public already (in result.json); they are sealed too, so that one rule holds for every row.
"""

from django.db import migrations

import shuangsuiji.personal.fields

COLUMNS = ("secret", "sealed_secret")


def _rewrite(apps, schema_editor, convert):
    """Raw SQL over both columns (the historical model field would try to open plain values)."""
    from shuangsuiji.personal.keys import sealer

    box = sealer()
    conn = schema_editor.connection
    qn = conn.ops.quote_name
    table = qn("draws_draw")
    with conn.cursor() as cursor:
        cursor.execute(f"SELECT id, {', '.join(qn(c) for c in COLUMNS)} FROM {table} ORDER BY id")
        rows = cursor.fetchall()
        for pk, *values in rows:
            changes = {}
            for column, value in zip(COLUMNS, values, strict=True):
                changes.update(convert(box, column, value or ""))
            if changes:
                sets = ", ".join(f"{qn(c)} = %s" for c in changes)
                cursor.execute(f"UPDATE {table} SET {sets} WHERE id = %s", [*changes.values(), pk])


def _seal(box, column, value):
    if not value or value.startswith("sm4gcm$"):
        return {}
    return {column: box.seal(value, f"draws.draw.{column}")}


def _open(box, column, value):
    return {column: box.open(value, f"draws.draw.{column}")} if value else {}


def seal_existing(apps, schema_editor):
    _rewrite(apps, schema_editor, _seal)


def open_existing(apps, schema_editor):
    _rewrite(apps, schema_editor, _open)


class Migration(migrations.Migration):
    dependencies = [("draws", "0008_draw_source_facts")]

    operations = [
        migrations.AlterField(
            model_name="draw",
            name="sealed_secret",
            field=shuangsuiji.personal.fields.EncryptedCharField(blank=True, editable=False, max_length=200),
        ),
        migrations.AlterField(
            model_name="draw",
            name="secret",
            field=shuangsuiji.personal.fields.EncryptedCharField(editable=False, max_length=200),
        ),
        migrations.RunPython(seal_existing, open_existing),
    ]
