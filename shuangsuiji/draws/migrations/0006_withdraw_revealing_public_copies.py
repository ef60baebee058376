"""Draws frozen before DRAW-v1.1 whose public files named strata of different ratios: anyone could recover each
candidate's credit-risk class from them (issue 16). Their committed files stay as they are (the commitment binds them,
and witnesses and auditors still verify them in full); the public copy is withdrawn and the portal says why."""

import json

from django.db import migrations

REASON = (
    "本次抽取冻结于密封分层（DRAW-v1.1）启用之前，其公开文件按分层列出候选对象，可能被用来推知企业的信用风险分类"
    "（不公开信息）。公开文件已于系统升级时撤回；承诺值和抽取名单继续公示，完整文件由监督人员、纪检监察和审计"
    "按权限核验。"
)


def revealing(params: dict, raise_complaints) -> bool:
    rules = params.get("strata") or {}
    distinct = {json.dumps(r, sort_keys=True) for r in rules.values()}
    return (
        len(rules) > 1
        and (len(distinct) > 1 or any("count" in r for r in rules.values()))
        or bool(raise_complaints and len(rules) > 1)
    )


def withdraw(apps, schema_editor):
    Draw = apps.get_model("draws", "Draw")
    for draw in Draw.objects.filter(sealed=False, public_withdrawn="").select_related("scheme"):
        params = json.loads(draw.params_json)
        complaints = draw.scheme.raise_complaints if "RAISED" in (draw.strata_map or {}).values() else None
        if revealing(params, complaints):
            draw.public_withdrawn = REASON
            draw.save(update_fields=["public_withdrawn"])


class Migration(migrations.Migration):
    dependencies = [("draws", "0005_sealed_strata"), ("planning", "0002_scheme_consents")]

    operations = [migrations.RunPython(withdraw, migrations.RunPython.noop)]
