"""The office's sync page through HTTP (preview → apply), the command, and what the draw and the public see after."""

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from shuangsuiji.audit.models import AuditEvent
from shuangsuiji.directory.models import InspectionObject, RegStatus, RiskClass, RiskClassHistory, SyncBatch
from tests import factories
from tests.conftest import login
from tests.directory.sync_helpers import reg_row, registration_file, risk_file

pytestmark = [pytest.mark.django_db, pytest.mark.today("2026-11-27")]
URL = "/directory/sync/"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def upload(client, data: bytes, name="登记变更.xlsx", **fields):
    f = io.BytesIO(data)
    f.name = name
    return client.post(URL, {"file": f, **fields})


def test_the_sync_page_is_the_offices_alone(client, olivia, alice, amy, bob):
    r = client.get(URL)
    assert r.status_code == 302 and r["Location"].startswith("/login/")
    for user in (alice, amy, bob):
        login(client, user)
        assert client.get(URL).status_code == 403
        assert (
            upload(
                client, registration_file([reg_row(factories.uscc(), "新公司", change="新设")])
            ).status_code
            == 403
        )
    assert not InspectionObject.objects.exists()
    login(client, olivia)
    page = client.get(URL).content.decode()
    assert "名录同步" in page and "上传并预览" in page


def test_the_office_previews_the_counts_then_applies_the_stored_preview(client, olivia):
    firm, renamed, same = factories.entity(), factories.entity(), factories.entity()
    newcomer = factories.uscc()
    data = registration_file(
        [
            reg_row(newcomer, "舞钢市预览新设有限公司", change="新设"),
            reg_row(renamed.code, name="舞钢市预览改名有限公司"),
            reg_row(firm.code, change="注销"),
            reg_row(same.code, name=same.name),
        ]
    )
    login(client, olivia)
    r = upload(client, data)
    assert r.status_code == 200
    page = r.content.decode()
    assert "预览" in page and "尚未写入任何数据" in page
    for cell, n in (("count-new", 1), ("count-changed", 1), ("count-left", 1), ("count-unchanged", 1)):
        assert f'id="{cell}">{n}<' in page
    assert not InspectionObject.objects.filter(code=newcomer).exists()
    assert client.get(URL).status_code == 200  # a GET writes nothing either
    assert not SyncBatch.objects.exists()

    preview_id = r.context["preview_id"]
    r = client.post(URL, {"action": "apply", "preview_id": preview_id})
    assert r.status_code == 200 and "已导入并写入名录" in r.content.decode()
    assert InspectionObject.objects.get(code=newcomer).name == "舞钢市预览新设有限公司"
    assert InspectionObject.objects.get(pk=firm.pk).reg_status == RegStatus.DEREGISTERED
    assert (
        SyncBatch.objects.count() == 1
        and AuditEvent.objects.filter(action="directory.sync_registration").count() == 1
    )

    # The preview is used up; the same file uploaded again changes nothing and says so.
    again = client.post(URL, {"action": "apply", "preview_id": preview_id})
    assert again.status_code == 400 and "预览已过期或不存在" in again.content.decode()
    r = upload(client, data)
    assert "无需修改，未写入任何数据" in r.content.decode() and "preview_id" not in r.context
    assert "同一文件曾于" in r.content.decode()
    assert SyncBatch.objects.count() == 1


def test_a_preview_belongs_to_its_uploader(client, olivia, db):
    from shuangsuiji.accounts.models import Role
    from tests.conftest import make_user

    firm = factories.entity()
    login(client, olivia)
    r = upload(client, registration_file([reg_row(firm.code, change="吊销")]))
    preview_id = r.context["preview_id"]
    other = make_user("oscar", Role.OFFICE, "SCJG")
    login(client, other)
    r = client.post(URL, {"action": "apply", "preview_id": preview_id})
    assert r.status_code == 400
    assert InspectionObject.objects.get(pk=firm.pk).reg_status == RegStatus.ACTIVE


def test_bad_rows_are_listed_with_a_report_and_nothing_is_written(client, olivia):
    firm = factories.entity()
    login(client, olivia)
    r = upload(
        client,
        registration_file([reg_row(firm.code, change="注销"), reg_row(firm.code[:17] + "?", change="注销")]),
    )
    page = r.content.decode()
    assert r.status_code == 200 and "未写入任何数据" in page
    assert "统一社会信用代码" in page and "<td>3</td>" in page
    assert "确认导入" not in page
    report = client.get(f"/import/errors/{r.context['report_id']}.xlsx")
    assert report.status_code == 200
    assert InspectionObject.objects.get(pk=firm.pk).reg_status == RegStatus.ACTIVE


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"MZ\x90\x00 an executable", "变更.xlsx", "不是有效的 .xlsx"),
        (b"\xd0\xcf\x11\xe0" + b"\0" * 64, "变更.xls", "不支持旧版 Excel"),
        ("统一社会信用代码,变更类型\n".encode("utf-16"), "变更.csv", "编码不是 UTF-8 或 GB18030"),
    ],
)
def test_hostile_uploads_get_a_chinese_400_never_a_500(client, olivia, data, name, message):
    login(client, olivia)
    r = upload(client, data, name=name)
    assert r.status_code == 400 and message in r.content.decode()
    assert not SyncBatch.objects.exists()


def test_a_file_over_the_upload_limit_is_refused(client, olivia, settings):
    settings.MAX_IMPORT_UPLOAD_BYTES = 1024
    login(client, olivia)
    rows = [reg_row(factories.uscc(), "舞钢市很大的文件有限公司", change="新设") for _ in range(100)]
    r = upload(client, registration_file(rows, fmt="csv"), name="变更.csv")
    assert r.status_code == 400 and "文件超过" in r.content.decode()
    assert not InspectionObject.objects.exists()


def test_a_risk_file_through_the_page_keeps_the_history(client, olivia):
    firm = factories.entity(risk_class=RiskClass.objects.get(code="A"))
    login(client, olivia)
    r = upload(client, risk_file([[firm.code, "D", "2026-11-01"]]), name="风险分类.xlsx", action="apply")
    assert r.status_code == 200 and "已导入并写入名录" in r.content.decode()
    assert 'id="count-changed">1<' in r.content.decode()
    history = RiskClassHistory.objects.get(object=firm)
    assert (history.previous.code, history.risk_class.code) == ("A", "D")
    # The office and the departments see the history on the object's internal page, never on a public one.
    detail = client.get(f"/objects/{firm.pk}/").content.decode()
    assert "2026-11-01 评定：A（低风险） → D（高风险）" in detail and "风险分类.xlsx" in detail


# --- the command -----------------------------------------------------------------------------------------------------


def write(tmp_path: Path, name: str, data: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def test_the_command_dry_runs_applies_and_reimports(tmp_path, capsys, olivia):
    firm = factories.entity()
    path = write(
        tmp_path,
        "变更.csv",
        registration_file([reg_row(firm.code, change="迁出")], fmt="csv", encoding="gb18030"),
    )
    call_command("sync_directory", path, "--dry-run")
    out = capsys.readouterr().out
    assert "退出市场 1" in out and "未写入任何数据" in out
    assert InspectionObject.objects.get(pk=firm.pk).reg_status == RegStatus.ACTIVE
    call_command("sync_directory", path, "--kind", "registration")
    assert "已导入" in capsys.readouterr().out
    assert InspectionObject.objects.get(pk=firm.pk).reg_status == RegStatus.MOVED_OUT
    call_command("sync_directory", path)
    out = capsys.readouterr().out
    assert "均已在名录中，未作任何修改" in out and "同一文件曾于" in out
    assert SyncBatch.objects.count() == 1


def test_the_command_exits_1_on_bad_rows_and_2_on_a_bad_file_or_a_user_without_the_right(
    tmp_path, capsys, amy
):
    firm = factories.entity(risk_class=RiskClass.objects.get(code="B"))
    path = write(tmp_path, "风险.xlsx", risk_file([[firm.code, "X", "2026-11-01"]]))
    with pytest.raises(CommandError) as e:
        call_command("sync_directory", path)
    assert e.value.returncode == 1
    assert "第2行 [信用风险分类]" in capsys.readouterr().out
    with pytest.raises(CommandError) as e:
        call_command("sync_directory", write(tmp_path, "坏.xlsx", b"garbage"))
    assert e.value.returncode == 2 and "不是有效的 .xlsx" in str(e.value)
    with pytest.raises(CommandError) as e:
        call_command("sync_directory", path, "--user", "amy")
    assert e.value.returncode == 2 and "无权导入" in str(e.value)
    assert InspectionObject.objects.get(pk=firm.pk).risk_class.code == "B"


def test_the_sync_pages_show_words_not_codes(client, olivia):
    from tests.web.test_screen_words import raw_codes

    firm = factories.entity(risk_class=RiskClass.objects.get(code="A"))
    login(client, olivia)
    pages = [
        upload(client, registration_file([reg_row(firm.code, change="迁出")])).content.decode(),
        upload(
            client, risk_file([[firm.code, "D", "2026-11-01"]]), name="风险.xlsx", action="apply"
        ).content.decode(),
        upload(
            client, registration_file([reg_row(firm.code, change="迁出")]), action="apply"
        ).content.decode(),
        client.get(URL).content.decode(),
    ]
    assert "信用风险分类文件" in pages[3] and "登记变更文件" in pages[3]  # the list of batches, in words
    assert [raw_codes(html) for html in pages] == [[], [], [], []]
