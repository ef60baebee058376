"""Re-encrypting personal data under the current PERSONAL_DATA_KEY (after a key rotation) and rebuilding the indexes.

Rotation: put the new secret in PERSONAL_DATA_KEY and the old one in PERSONAL_DATA_OLD_KEYS, restart, run
`manage.py rotate_personal_data_key`, then drop the old key. Rows are read with any configured key and written back
sealed with the current one; the keyed indexes are recomputed with the current index key (they change with the key).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection, transaction

from shuangsuiji.audit.services import record

from .fields import BlindIndexField, EncryptedCharField
from .keys import sealer


@dataclass
class RotationReport:
    rows: int
    rewritten: int


def _personal_models() -> list:
    from django.apps import apps

    return [
        m
        for m in apps.get_models()
        if any(isinstance(f, EncryptedCharField) for f in m._meta.concrete_fields)
    ]


def rotate_personal_data(*, actor, batch: int = 1000) -> RotationReport:
    """Re-seal every encrypted value not sealed with the current key and recompute every keyed index; audited."""
    box = sealer()
    rows = rewritten = 0
    with transaction.atomic():
        for model in _personal_models():
            sealed = [f for f in model._meta.concrete_fields if isinstance(f, EncryptedCharField)]
            indexes = [f for f in model._meta.concrete_fields if isinstance(f, BlindIndexField)]
            qn = connection.ops.quote_name
            table = qn(model._meta.db_table)
            columns = ", ".join(qn(f.column) for f in sealed)
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT id, {columns} FROM {table} ORDER BY id")
                raw = cursor.fetchall()
            for start in range(0, len(raw), batch):
                chunk = raw[start : start + batch]
                for pk, *tokens in chunk:
                    rows += 1
                    values = {
                        f.attname: box.open(t or "", f.context) for f, t in zip(sealed, tokens, strict=True)
                    }
                    stale = any(not box.is_current(t or "") for t in tokens)
                    # Raw SQL, not save(): updated_at must not move, and nothing else of the row is touched.
                    sets = {
                        f.column: (box.seal(values[f.attname], f.context) if stale else t)
                        for f, t in zip(sealed, tokens, strict=True)
                    }
                    sets.update({f.column: f.index_of(values[f.source]) for f in indexes})
                    assignments = ", ".join(f"{qn(c)} = %s" for c in sets)
                    with connection.cursor() as cursor:
                        cursor.execute(
                            f"UPDATE {table} SET {assignments} WHERE id = %s", [*sets.values(), pk]
                        )
                    rewritten += stale
        record(
            actor=actor,
            action="personal_data.rotate",
            target_type="personal_data",
            target_repr="个人信息密钥轮换",
            after={"rows": rows, "rewritten": rewritten, "key_id": box.current.kid},
        )
    return RotationReport(rows, rewritten)
