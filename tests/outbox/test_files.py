"""Issue 13 part 1, the `files` connector (ADR 0025): a daily batch — results workbook, other events as JSON lines,
manifest — for a person to upload; the office downloads it, confirms the upload or records the province's return."""

import csv
import datetime
import hashlib
import io
import json
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from shuangsuiji.audit.models import AuditEvent
from shuangsuiji.directory.models import Inspector
from shuangsuiji.inspections import services as inspections
from shuangsuiji.outbox import files
from shuangsuiji.outbox.models import BatchState, OutboxBatch, OutboxEvent, OutboxState
from tests.conftest import login
from tests.inspections.helpers import drawn_selection

HEADERS = [h for h, _ in files.COLUMNS]
HOSTILE = ['=HYPERLINK("http://evil.example","点我")', "+1+2", "-3", "@SUM(A1)"]


@pytest.fixture(autouse=True)
def files_connector(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PROVINCE_CONNECTOR = "files"
    settings.OUTBOX_FILES_DIR = str(tmp_path / "batches")
    return Path(settings.OUTBOX_FILES_DIR)


def event(event_type: str, key: str, payload: dict, version: int = 1) -> OutboxEvent:
    now = timezone.now()
    return OutboxEvent.objects.create(
        type=event_type, object_key=key, version=version, payload=payload, created_at=now, next_attempt_at=now
    )


def result(n: int, name: str | None = None, **extra) -> dict:
    return {
        "record_version": 1,
        "object_name": name or f"舞钢市测试商行{n}",
        "object_code": f"92410481MA0000{n:03d}X",
        "department": "舞钢市市场监督管理局",
        "joint_visit": False,
        "withheld": False,
        "kind": "双随机抽查",
        "inspection_date": "2026-11-20",
        "results": ["未发现问题"],
        "items": [{"item": "营业执照（登记证）规范使用情况的检查", "result": "未发现问题"}],
        "published_at": "2026-11-25T09:30:00+08:00",
    } | extra


@pytest.fixture
def day(db):
    """A day's events: two results, a correction, a joint visit of two departments, a plan, a withheld result."""
    return [
        event("result.published", "result:1", result(1)),
        event(
            "result.published",
            "result:2",
            result(2, results=["发现问题待后续处理", "未按规定公示应当公示的信息"]),
        ),
        event("plan.approved", "plan:7", {"plan_id": 7, "version": 1, "plan": {"title": "2026年度抽查计划"}}),
        event("result.corrected", "result:1", result(1, inspection_date="2026-11-21"), version=2),
        event(
            "visit.published",
            "visit:3",
            {
                "object_name": "舞钢市联合超市",
                "object_code": "92410481MA0000300X",
                "visit_date": "2026-11-22",
                "published_at": "2026-11-30T10:00:00+08:00",
                "parts": [
                    {
                        "department": "舞钢市市场监督管理局",
                        "attended": True,
                        "reported": True,
                        "results": ["未发现问题"],
                        "items": [{"item": "价格公示", "result": "未发现问题"}],
                    },
                    {
                        "department": "舞钢市卫生健康委员会",
                        "attended": False,
                        "reported": False,
                        "results": [],
                        "items": [],
                    },
                ],
            },
        ),
        event("result.withheld", "result:9", {"object_name": "某商行", "object_code": "X", "withheld": True}),
    ]


def deliver(*args) -> str:
    out = io.StringIO()
    call_command("deliver_outbox", *args, stdout=out)
    return out.getvalue()


def rows_of(path: Path) -> list[list]:
    ws = load_workbook(path, read_only=True)[files.SHEET]
    return [list(r) for r in ws.iter_rows(values_only=True)]


def test_a_days_batch_holds_the_results_as_rows_and_the_other_events_as_json_lines(day, files_connector):
    out = deliver()
    batch = OutboxBatch.objects.get()
    assert f"已生成推送文件批次 {batch.number}" in out and batch.state == BatchState.AWAITING
    folder = files_connector / batch.folder
    assert sorted(p.name for p in folder.iterdir()) == ["events.jsonl", "manifest.json", "results.xlsx"]
    rows = rows_of(folder / "results.xlsx")
    assert rows[0] == HEADERS
    by_column = [dict(zip(HEADERS, r, strict=True)) for r in rows[1:]]
    # One row per result, in event order; a joint visit is one row per department; a correction says so.
    assert [(r["企业名称"], r["检查实施机关"], r["操作"]) for r in by_column] == [
        ("舞钢市测试商行1", "舞钢市市场监督管理局", "新增"),
        ("舞钢市测试商行2", "舞钢市市场监督管理局", "新增"),
        ("舞钢市测试商行1", "舞钢市市场监督管理局", "更正"),
        ("舞钢市联合超市", "舞钢市市场监督管理局", "新增"),
        ("舞钢市联合超市", "舞钢市卫生健康委员会", "新增"),
    ]
    assert by_column[1]["检查结果"] == "发现问题待后续处理、未按规定公示应当公示的信息"
    assert by_column[2]["检查日期"] == "2026-11-21" and by_column[2]["公示日期"] == "2026-11-25"
    assert by_column[4]["检查结果"] == "未参加" and by_column[0]["序号"] == 1
    assert by_column[0]["事件编号"] == str(day[0].event_id) and by_column[2]["对象及版本"] == "result:1#2"
    # The other events: exactly the body the http connector would POST, one a line.
    lines = [json.loads(x) for x in (folder / "events.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [(d["type"], d["id"]) for d in lines] == [
        ("plan.approved", str(day[2].event_id)),
        ("result.withheld", str(day[5].event_id)),
    ]
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["batch_id"] == str(batch.batch_id) and manifest["number"] == batch.number
    assert manifest["event_ids"] == [str(e.event_id) for e in day]
    assert manifest["counts"] | {"by_type": None} == {
        "events": 6,
        "result_events": 4,
        "result_rows": 5,
        "other_events": 2,
        "by_type": None,
    }
    for name in ("results.xlsx", "events.jsonl"):
        assert manifest["files"][name]["sha256"] == hashlib.sha256((folder / name).read_bytes()).hexdigest()
    assert batch.xlsx_sha256 == manifest["files"]["results.xlsx"]["sha256"]
    assert set(OutboxEvent.objects.values_list("state", "batch", "attempts")) == {
        (OutboxState.AWAITING, batch.pk, 1)
    }


def test_one_batch_a_day_and_never_an_event_in_two_batches(day, files_connector):
    first = files.FilesConnector().write_batch()
    assert "今天的批次已生成" in deliver()
    late = event("result.published", "result:5", result(5))
    assert files.FilesConnector().write_batch() is None  # the same business day: tomorrow's batch takes it
    second = files.FilesConnector().write_batch(force=True)
    assert second.number.endswith("-02") and second.events_count == 1
    assert list(second.events.values_list("pk", flat=True)) == [late.pk]
    assert files.FilesConnector().write_batch(force=True) is None  # nothing left to take
    assert first.events.count() == 6 and OutboxEvent.objects.filter(batch__isnull=True).count() == 0


def test_formula_like_text_stays_text_in_the_workbook(db, files_connector):
    for n, name in enumerate(HOSTILE):
        event("result.published", f"result:{n}", result(n, name=name))
    batch = files.FilesConnector().write_batch()
    ws = load_workbook(files_connector / batch.folder / "results.xlsx")[files.SHEET]
    cells = [ws.cell(row=r, column=HEADERS.index("企业名称") + 1) for r in range(2, 2 + len(HOSTILE))]
    assert [c.value for c in cells] == HOSTILE
    assert all(c.data_type == "s" and c.quotePrefix for c in cells)


def test_a_failed_batch_leaves_no_folder_and_its_events_pending(day, files_connector, monkeypatch):
    def broken(**kw):
        raise RuntimeError("disk full")

    monkeypatch.setattr(OutboxBatch.objects, "create", broken)
    with pytest.raises(RuntimeError):
        files.FilesConnector().write_batch()
    assert not any(files_connector.iterdir()) if files_connector.exists() else True
    assert set(OutboxEvent.objects.values_list("state", flat=True)) == {OutboxState.PENDING}


def test_results_from_the_services_go_into_the_batch_with_public_fields_only(
    alice, amy, rita, files_connector
):
    selection = drawn_selection(alice)
    rec = inspections.record_create(actor=amy, selection=selection)
    rec = inspections.record_submit(
        actor=amy,
        rec=rec,
        data={
            "methods": ["实地核查"],
            "cert_shown": True,
            "signature": "obtained",
            "categories": ["未发现问题"],
            "measures": ["无需后续处置"],
        },
    )
    inspections.record_review(actor=rita, rec=rec, approve=True)
    batch = files.FilesConnector().write_batch()
    folder = files_connector / batch.folder
    rows = rows_of(folder / "results.xlsx")
    row = dict(zip(HEADERS, rows[-1], strict=True))
    assert row["企业名称"] == selection.object.name and row["统一社会信用代码"] == selection.object.code
    assert row["检查实施机关"] == rec.department.name and row["检查类型"] == "双随机抽查"
    assert row["检查结果"] == "未发现问题"
    sheet = "".join(str(c) for r in rows for c in r)
    everything = sheet + (folder / "events.jsonl").read_text(encoding="utf-8")
    # The record's methods and follow-up measures are internal; ID numbers and phones never leave.
    assert "实地核查" not in sheet and "无需后续处置" not in everything
    personal = [v for i in Inspector.objects.all() for v in (i.id_number, i.phone) if v]
    assert personal and not [v for v in personal if v in everything]


def office(user) -> Client:
    client = Client()
    login(client, user)
    return client


def test_the_office_downloads_the_batch_and_confirms_the_upload(day, olivia):
    batch = files.FilesConnector().write_batch()
    client = office(olivia)
    page = client.get("/outbox/", {"state": "awaiting"}).content.decode()
    assert batch.number in page and "等待上传" in page and "已导出、等待上传" in page
    r = client.get(f"/outbox/batches/{batch.pk}/download/")
    assert r.status_code == 200 and r["Content-Type"] == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(r.content)).namelist()
    assert names == [
        f"{batch.number}/results.xlsx",
        f"{batch.number}/events.jsonl",
        f"{batch.number}/manifest.json",
    ]
    # Downloading changes nothing; confirming is a POST.
    assert set(OutboxEvent.objects.values_list("state", flat=True)) == {OutboxState.AWAITING}
    assert client.get(f"/outbox/batches/{batch.pk}/uploaded/").status_code == 405
    r = client.post(f"/outbox/batches/{batch.pk}/uploaded/", follow=True)
    assert "已确认批次" in r.content.decode()
    batch.refresh_from_db()
    assert batch.state == BatchState.UPLOADED and batch.settled_by == olivia
    assert set(OutboxEvent.objects.values_list("state", flat=True)) == {OutboxState.DELIVERED}
    assert not OutboxEvent.objects.filter(delivered_at__isnull=True).exists()
    audit = AuditEvent.objects.get(action="outbox.batch_uploaded")
    assert audit.target_id == str(batch.batch_id) and audit.after["events"] == 6
    # Twice: refused in Chinese, nothing changes.
    r = client.post(f"/outbox/batches/{batch.pk}/uploaded/", follow=True)
    assert "不能再次确认" in r.content.decode()
    assert AuditEvent.objects.filter(action="outbox.batch_uploaded").count() == 1


def test_a_returned_batch_keeps_the_answer_and_its_events_go_into_the_next_batch_when_resent(day, olivia):
    batch = files.FilesConnector().write_batch()
    client = office(olivia)
    r = client.post(f"/outbox/batches/{batch.pk}/returned/", {"answer": "  "}, follow=True)
    assert "请填写省级平台退回的理由" in r.content.decode()
    assert OutboxBatch.objects.get().state == BatchState.AWAITING
    client.post(f"/outbox/batches/{batch.pk}/returned/", {"answer": "第3行缺少检查实施机关代码"})
    batch.refresh_from_db()
    assert batch.state == BatchState.RETURNED and batch.answer == "第3行缺少检查实施机关代码"
    rejected = OutboxEvent.objects.filter(state=OutboxState.REJECTED)
    assert rejected.count() == 6 and set(rejected.values_list("answer", flat=True)) == {
        "第3行缺少检查实施机关代码"
    }
    assert "第3行缺少检查实施机关代码" in client.get("/outbox/").content.decode()
    assert (
        AuditEvent.objects.get(action="outbox.batch_returned").after["answer"] == "第3行缺少检查实施机关代码"
    )
    client.post("/outbox/resend-rejected/")
    second = files.FilesConnector().write_batch(force=True)
    assert second.events_count == 6 and not batch.events.exists()


def test_a_clerk_can_neither_download_nor_confirm_a_batch(day, amy):
    batch = files.FilesConnector().write_batch()
    client = office(amy)
    assert client.get(f"/outbox/batches/{batch.pk}/download/").status_code == 403
    assert client.post(f"/outbox/batches/{batch.pk}/uploaded/").status_code == 403
    assert client.post(f"/outbox/batches/{batch.pk}/returned/", {"answer": "x"}).status_code == 403
    assert OutboxBatch.objects.get().state == BatchState.AWAITING


def soffice_csv(xlsx: Path, tmp_path: Path) -> list[list[str]]:
    """LibreOffice's own reading of the workbook: headless conversion to CSV (UTF-8), with a private profile."""
    out = tmp_path / "csv"
    subprocess.run(
        [
            shutil.which("soffice"),
            f"-env:UserInstallation=file://{tmp_path}/lo-profile",
            "--headless",
            "--convert-to",
            "csv:Text - txt - csv (StarCalc):44,34,76,1",
            "--outdir",
            str(out),
            str(xlsx),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    with open(out / (xlsx.stem + ".csv"), encoding="utf-8", newline="") as f:
        return list(csv.reader(f))


@pytest.mark.skipif(
    shutil.which("soffice") is None,
    reason="LibreOffice（soffice）未安装：apt-get install libreoffice-calc-nogui",
)
def test_the_batch_opens_in_libreoffice_with_the_expected_rows(day, files_connector, tmp_path):
    event("result.published", "result:77", result(77, name=HOSTILE[0]))
    batch = files.FilesConnector().write_batch()
    rows = soffice_csv(files_connector / batch.folder / "results.xlsx", tmp_path)
    assert rows[0] == HEADERS
    assert [r[HEADERS.index("企业名称")] for r in rows[1:]] == [
        "舞钢市测试商行1",
        "舞钢市测试商行2",
        "舞钢市测试商行1",
        "舞钢市联合超市",
        "舞钢市联合超市",
        HOSTILE[0],
    ]
    assert [r[HEADERS.index("检查结果")] for r in rows[1:4]] == [
        "未发现问题",
        "发现问题待后续处理、未按规定公示应当公示的信息",
        "未发现问题",
    ]
    assert rows[1][HEADERS.index("事件编号")] == str(day[0].event_id) and rows[1][0] == "1"
    assert len(rows) == 1 + batch.result_rows


def test_the_batch_number_follows_the_business_date(day, time_machine):
    # 23:30 UTC is already the next day in Beijing: the batch is that day's.
    moment = timezone.now().astimezone(datetime.UTC).replace(hour=23, minute=30) + datetime.timedelta(days=1)
    time_machine.move_to(moment, tick=False)
    batch = files.FilesConnector().write_batch()
    beijing = (moment + datetime.timedelta(hours=8)).date()
    assert batch.business_date == beijing and batch.number == f"SSJ-{beijing:%Y%m%d}-01"
