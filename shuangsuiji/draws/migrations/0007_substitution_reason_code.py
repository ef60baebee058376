"""A substitution's public reason becomes a code (issue 17, item 9). The free text, published until now, becomes the
internal note; existing substitutions get the code OTHER (其他法定情形 / 其他), since their text may name a person's
circumstances ("孙之峰 休病假") and cannot be published. Reversible: going back, a substitution without a note gets its
code's label as its reason."""

from django.db import migrations, models

OBJECT = {
    "DEREGISTERED": "已注销",
    "REVOKED": "已吊销",
    "MOVED_OUT": "已迁出",
    "SUSPENDED": "停业歇业",
    "NOT_FOUND": "查无此户",
    "OTHER": "其他法定情形",
}
INSPECTOR = {
    "RECUSAL": "回避",
    "ON_DUTY": "因公无法到岗",
    "UNAVAILABLE": "因故无法到岗",
    "CERT_INVALID": "执法证失效",
    "OTHER": "其他",
}


def labels_back_to_reasons(apps, schema_editor):
    Substitution = apps.get_model("draws", "Substitution")
    for s in Substitution.objects.filter(note=""):
        s.note = (OBJECT if s.kind == "object" else INSPECTOR).get(s.reason_code, s.reason_code)
        s.save(update_fields=["note"])


class Migration(migrations.Migration):
    dependencies = [("draws", "0006_withdraw_revealing_public_copies")]

    operations = [
        migrations.RenameField(model_name="substitution", old_name="reason", new_name="note"),
        migrations.AlterField(
            model_name="substitution",
            name="note",
            field=models.CharField(blank=True, max_length=300, verbose_name="内部说明"),
        ),
        # Every existing substitution gets OTHER: its free text stays, as the internal note.
        migrations.AddField(
            model_name="substitution",
            name="reason_code",
            field=models.CharField(default="OTHER", max_length=20, verbose_name="公开理由"),
            preserve_default=False,
        ),
        migrations.RunPython(migrations.RunPython.noop, labels_back_to_reasons),
    ]
