"""Seed 舞钢市's 13 township-level divisions and its market-supervision departments (domain.md §4).

Other cities replace these through the admin; the codes only need to be stable.
"""

from django.db import migrations

REGIONS = [
    ("410481001", "垭口街道", "街道"),
    ("410481002", "寺坡街道", "街道"),
    ("410481003", "朱兰街道", "街道"),
    ("410481004", "院岭街道", "街道"),
    ("410481005", "矿建街道", "街道"),
    ("410481101", "尚店镇", "镇"),
    ("410481102", "尹集镇", "镇"),
    ("410481103", "八台镇", "镇"),
    ("410481104", "枣林镇", "镇"),
    ("410481201", "杨庄乡", "乡"),
    ("410481202", "铁山乡", "乡"),
    ("410481203", "武功乡", "乡"),
    ("410481204", "庙街乡", "乡"),
]

# code, name, short name (for document numbers), keeps the entity registry, hosts the joint-meeting office
DEPARTMENTS = [
    ("SCJG", "舞钢市市场监督管理局", "舞市监", True, True),
    ("FGW", "舞钢市发展和改革委员会", "舞发改", False, False),
    ("SFJ", "舞钢市司法局", "舞司", False, False),
    ("ZWFW", "舞钢市政务服务和大数据服务中心", "舞政数", False, False),
    ("SWJ", "国家税务总局舞钢市税务局", "舞税", False, False),
    ("STHJ", "平顶山市生态环境局舞钢分局", "舞环", False, False),
    ("YJGL", "舞钢市应急管理局", "舞应急", False, False),
    ("ZJJ", "舞钢市住房和城乡建设局", "舞住建", False, False),
    ("JTYS", "舞钢市交通运输局", "舞交", False, False),
    ("WGLY", "舞钢市文化广电和旅游局", "舞文旅", False, False),
    ("WJW", "舞钢市卫生健康委员会", "舞卫健", False, False),
    ("RSJ", "舞钢市人力资源和社会保障局", "舞人社", False, False),
    ("NYNC", "舞钢市农业农村局", "舞农", False, False),
    ("SWU", "舞钢市商务局", "舞商", False, False),
    ("JYJ", "舞钢市教育局", "舞教", False, False),
    ("GAJ", "舞钢市公安局", "舞公", False, False),
    ("ZRZY", "舞钢市自然资源和规划局", "舞自然", False, False),
    ("SLJ", "舞钢市水利局", "舞水", False, False),
    ("XFJY", "舞钢市消防救援大队", "舞消", False, False),
]


def seed(apps, schema_editor):
    Region = apps.get_model("org", "Region")
    Department = apps.get_model("org", "Department")
    for i, (code, name, kind) in enumerate(REGIONS):
        Region.objects.get_or_create(code=code, defaults={"name": name, "kind": kind, "sort": i})
    for i, (code, name, short, registry, lead) in enumerate(DEPARTMENTS):
        Department.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "short_name": short,
                "maintains_entity_registry": registry,
                "is_lead": lead,
                "sort": i,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("org", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
