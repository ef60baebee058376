"""Rotating PERSONAL_DATA_KEY: every number re-encrypted under the new key, every keyed index rebuilt, audited."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import override_settings

from shuangsuiji.audit.models import AuditEvent
from shuangsuiji.directory.models import Inspector
from shuangsuiji.personal.keys import sealer
from tests import factories

pytestmark = pytest.mark.django_db

OLD = "the-old-personal-data-key-32-bytes"
NEW = "the-new-personal-data-key-32-bytes"
ID = "11010519491231002X"


def raw_id_numbers() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number FROM directory_inspector ORDER BY id")
        return [r[0] for r in cursor.fetchall()]


def test_rotation_moves_every_number_to_the_new_key_and_rebuilds_the_indexes():
    with override_settings(PERSONAL_DATA_KEY=OLD):
        ins = factories.inspector(id_number=ID, phone="13812341234")
        factories.inspector(id_number="", phone="")
        old_kid = sealer().current.kid
        updated_at = Inspector.objects.get(pk=ins.pk).updated_at
    with override_settings(PERSONAL_DATA_KEY=NEW, PERSONAL_DATA_OLD_KEYS=OLD):
        new_kid = sealer().current.kid
        assert Inspector.objects.get(pk=ins.pk).id_number == ID  # the old key still reads
        assert not Inspector.objects.with_number("id_number", ID).exists()  # but its index is the old key's
        out = io.StringIO()
        call_command("rotate_personal_data_key", stdout=out)
        assert "已检查 2 行，其中 1 行改用当前密钥重新加密" in out.getvalue()
        assert raw_id_numbers()[0].startswith(f"sm4gcm${new_kid}$") and old_kid not in raw_id_numbers()[0]
        assert list(Inspector.objects.with_number("id_number", ID)) == [ins]
        assert list(Inspector.objects.with_number("phone", "13812341234")) == [ins]
        fresh = Inspector.objects.get(pk=ins.pk)
        assert fresh.updated_at == updated_at and fresh.phone == "13812341234"
        event = AuditEvent.objects.get(action="personal_data.rotate")
        assert event.after == {"rows": 2, "rewritten": 1, "key_id": new_kid}
    with override_settings(PERSONAL_DATA_KEY=NEW, PERSONAL_DATA_OLD_KEYS=""):
        assert Inspector.objects.get(pk=ins.pk).id_number == ID  # the old key is no longer needed


def test_rotation_without_the_old_key_changes_nothing_and_says_why():
    with override_settings(PERSONAL_DATA_KEY=OLD):
        factories.inspector(id_number=ID)
    before = raw_id_numbers()
    with override_settings(PERSONAL_DATA_KEY=NEW, PERSONAL_DATA_OLD_KEYS=""):
        with pytest.raises(CommandError, match="不在当前配置中.*未做任何修改"):
            call_command("rotate_personal_data_key")
    assert (
        raw_id_numbers() == before and not AuditEvent.objects.filter(action="personal_data.rotate").exists()
    )
