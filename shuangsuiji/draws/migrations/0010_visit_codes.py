"""核验码 (issue 14, part 2): one per drawn object to visit. Draws made before codes existed get theirs here, for
every active selection of a drawn draw, so their 登记表 prints with a code and a QR code too (ADR 0017)."""

import secrets

import django.db.models.deletion
from django.db import migrations, models

# As in shuangsuiji/codes/visit.py, copied: a migration keeps working when the code it was written with changes.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
LENGTH = 10
BATCH = 2000


def issue(apps, schema_editor):
    Selection = apps.get_model("draws", "Selection")
    VisitCode = apps.get_model("draws", "VisitCode")
    pending = Selection.objects.filter(draw__status="drawn", active=True, visit_code__isnull=True)
    while ids := list(pending.order_by("pk").values_list("pk", flat=True)[:BATCH]):
        codes: set[str] = set()
        while len(codes) < len(ids):
            fresh = {
                "".join(secrets.choice(ALPHABET) for _ in range(LENGTH)) for _ in range(len(ids) - len(codes))
            }
            fresh -= codes
            codes |= fresh - set(VisitCode.objects.filter(code__in=fresh).values_list("code", flat=True))
        VisitCode.objects.bulk_create(
            VisitCode(selection_id=sid, code=code) for sid, code in zip(ids, sorted(codes), strict=True)
        )


class Migration(migrations.Migration):
    dependencies = [("draws", "0009_draw_secrets_sealed")]

    operations = [
        migrations.CreateModel(
            name="VisitCode",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("code", models.CharField(max_length=10, unique=True, verbose_name="核验码")),
                ("lookups", models.PositiveIntegerField(default=0, verbose_name="核验次数")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="生成时间")),
                (
                    "selection",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="visit_code",
                        to="draws.selection",
                    ),
                ),
            ],
            options={"verbose_name": "检查核验码", "verbose_name_plural": "检查核验码"},
        ),
        migrations.RunPython(issue, migrations.RunPython.noop),
    ]
