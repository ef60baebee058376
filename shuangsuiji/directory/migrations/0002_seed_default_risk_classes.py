"""The default credit-risk classes of Henan (豫市监办〔2022〕100号): A 低, B 一般, C 较高, D 高. Configurable."""

from django.db import migrations


def seed(apps, schema_editor):
    RiskClass = apps.get_model("directory", "RiskClass")
    for i, (code, name) in enumerate(
        [("A", "低风险"), ("B", "一般风险"), ("C", "较高风险"), ("D", "高风险")]
    ):
        RiskClass.objects.get_or_create(code=code, defaults={"name": name, "sort": i})


class Migration(migrations.Migration):
    dependencies = [("directory", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
