"""Issue 14, "Done when": an inspector records a visit on a phone (Chromium at 390×844) — two photos fed to the camera
input, the firm's signature drawn with the mouse, the connection lost mid-entry and back — and the record arrives once.

With SCREENSHOTS_DIR set (e.g. docs/screenshots), the phone form is saved as issue14/phone-record-form.png there.
"""

import os
import re
import struct
import zlib
from pathlib import Path

import pytest

from shuangsuiji.accounts import services as accounts
from shuangsuiji.audit.models import AuditEvent
from shuangsuiji.inspections.models import Attachment, InspectionRecord, RecordStatus
from tests.browser.conftest import sign_in
from tests.conftest import PASSWORD
from tests.inspections.helpers import drawn_selection

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reference_data"),
]

PHONE = {"width": 390, "height": 844}


@pytest.fixture(autouse=True)
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"


def png(path: Path, width: int, height: int, shade: int) -> Path:
    """A camera-sized picture (a gradient), written without an imaging library."""
    reds = bytes(x % 256 for x in range(width))
    rows = bytearray()
    for y in range(height):
        row = bytearray(width * 3)
        row[0::3], row[1::3], row[2::3] = reds, bytes([y % 256]) * width, bytes([shade]) * width
        rows += b"\x00" + row

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(bytes(rows)))
        + chunk(b"IEND", b"")
    )
    return path


def jpeg_size(data: bytes) -> tuple[int, int]:
    """(width, height) from a JPEG's start-of-frame segment."""
    i = 2
    while i < len(data):
        marker, length = data[i + 1], struct.unpack(">H", data[i + 2 : i + 4])[0]
        if marker in (0xC0, 0xC1, 0xC2):
            height, width = struct.unpack(">HH", data[i + 5 : i + 9])
            return width, height
        i += 2 + length
    raise AssertionError("no frame header")


# The drafts phone.js keeps in IndexedDB (ADR 0027), counted from the page.
DRAFTS_COUNT = """new Promise((resolve, reject) => {
  const open = indexedDB.open("ssj-phone", 1);
  open.onupgradeneeded = () => open.result.createObjectStore("drafts");
  open.onsuccess = () => {
    const count = open.result.transaction("drafts").objectStore("drafts").count();
    count.onsuccess = () => { open.result.close(); resolve(count.result); };
  };
  open.onerror = () => reject(open.error);
})"""


def drafts_kept(page) -> int:
    return page.evaluate(DRAFTS_COUNT)


def inspector_account(alice, inspector_id):
    [(user, _)] = accounts.inspector_accounts_create(actor=alice, inspector_ids=[inspector_id])
    user.set_password(PASSWORD)
    user.save()
    return user


def test_an_inspector_records_a_visit_on_a_phone_through_a_lost_connection(
    browser, live_server, alice, tmp_path
):
    selection = drawn_selection(alice)
    team = list(selection.team.filter(active=True).order_by("order").values_list("inspector_id", flat=True))
    me = inspector_account(alice, team[0])
    inspector_account(alice, team[1])
    photos = [png(tmp_path / "现场1.png", 2400, 1800, 40), png(tmp_path / "现场2.png", 1800, 2400, 200)]

    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15000)
    try:
        sign_in(page, live_server, me.username, PASSWORD)
        page.click("#nav-my-visits")
        card = page.locator(f"#visit-{selection.pk}")
        assert selection.object.name in card.inner_text() and "uri.amap.com" in card.inner_text()
        card.locator("a:has-text('录入检查记录')").click()
        page.wait_for_url(re.compile(rf"/my/visits/{selection.pk}/$"))
        # One column that fits the phone: nothing wider than the screen.
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

        page.fill("#id_inspection_time", "09:30")
        page.set_input_files("#id_photos", [str(p) for p in photos])
        page.wait_for_function("document.querySelectorAll('#photo-list img').length === 2")
        page.locator("#signature-pad").scroll_into_view_if_needed()
        box = page.locator("#signature-pad").bounding_box()
        page.mouse.move(box["x"] + 30, box["y"] + 120)
        page.mouse.down()
        for step in range(1, 16):
            page.mouse.move(box["x"] + 30 + step * 18, box["y"] + 120 + (30 if step % 2 else -30), steps=3)
        page.mouse.up()
        assert page.is_checked("#id_signature_obtained")
        page.check("input[name=categories][value=未发现问题]")
        page.check("input[name=measures][value=无需后续处置]")
        page.fill("#id_note", "现场检查，")
        if screenshots := os.environ.get("SCREENSHOTS_DIR"):
            Path(screenshots, "issue14").mkdir(parents=True, exist_ok=True)
            page.screenshot(path=f"{screenshots}/issue14/phone-record-form.png", full_page=True)

        # The connection drops mid-entry: the inspector goes on and submits; the draft waits on the phone.
        context.set_offline(True)
        page.wait_for_function("navigator.onLine === false")
        page.fill("#id_note", "现场检查，未发现问题。")
        page.check("#id_cert_shown")
        page.click("#submit-record")
        page.wait_for_function(
            "document.getElementById('sync-status').textContent.includes('联网后自动发送')"
        )
        page.click("#submit-record")  # an impatient second tap changes nothing
        assert not InspectionRecord.objects.exists()
        assert drafts_kept(page) == 1

        context.set_offline(False)
        page.wait_for_function("document.getElementById('sync-status').textContent.includes('已提交审核')")
        # The browser announcing the connection again (and the retry timer) sends nothing more.
        page.evaluate("window.dispatchEvent(new Event('online')); window.dispatchEvent(new Event('online'))")
        page.wait_for_timeout(500)
        page.wait_for_function(DRAFTS_COUNT + ".then(n => n === 0)")
        assert drafts_kept(page) == 0
    finally:
        context.close()

    [rec] = InspectionRecord.objects.filter(selection=selection)
    assert rec.status == RecordStatus.SUBMITTED and rec.cert_shown and rec.note == "现场检查，未发现问题。"
    assert str(rec.inspection_time) == "09:30:00"
    assert AuditEvent.objects.filter(action="record.submit").count() == 1
    kinds = sorted(Attachment.objects.filter(record=rec).values_list("kind", flat=True))
    assert kinds == ["现场照片", "现场照片", "签字"]
    for att in Attachment.objects.filter(record=rec, kind="现场照片"):
        data = att.file.read()
        assert data.startswith(b"\xff\xd8\xff") and max(jpeg_size(data)) <= 1600  # resized on the phone
    signature = Attachment.objects.get(record=rec, kind="签字")
    assert signature.file.read().startswith(b"\x89PNG") and len(signature.sha256) == 64


def draw_signature(page) -> None:
    page.locator("#signature-pad").scroll_into_view_if_needed()
    box = page.locator("#signature-pad").bounding_box()
    page.mouse.move(box["x"] + 30, box["y"] + 120)
    page.mouse.down()
    for step in range(1, 16):
        page.mouse.move(box["x"] + 30 + step * 18, box["y"] + 120 + (30 if step % 2 else -30), steps=3)
    page.mouse.up()


def test_the_phone_form_reloads_offline_with_its_draft_and_the_record_arrives_once(
    browser, live_server, alice, tmp_path
):
    selection = drawn_selection(alice)
    team = list(selection.team.filter(active=True).order_by("order").values_list("inspector_id", flat=True))
    me = inspector_account(alice, team[0])
    photos = [png(tmp_path / "现场1.png", 2000, 1500, 60), png(tmp_path / "现场2.png", 1500, 2000, 180)]
    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15000)
    try:
        sign_in(page, live_server, me.username, PASSWORD)
        page.goto(f"{live_server.url}/my/visits/{selection.pk}/")
        # The Service Worker has kept this page and its static files.
        page.wait_for_selector("#phone-form[data-offline-ready='1']", state="attached")
        assert page.is_visible("#offline-note")
        page.fill("#id_inspection_time", "10:15")
        page.fill("#id_note", "断网前填写的检查情况")
        page.wait_for_function(DRAFTS_COUNT + ".then(n => n === 1)")

        # Offline, the page is reloaded: the saved copy opens, with the draft from IndexedDB. The object is renamed on
        # the server meanwhile, so the old name proves the page came from the phone, not through the network (this
        # Chromium's offline emulation applies to the Service Worker's own fetches too).
        saved_name = selection.object.name
        type(selection.object).objects.filter(pk=selection.object_id).update(name=saved_name + "（已改名）")
        context.set_offline(True)
        page.wait_for_function("navigator.onLine === false")
        page.reload()
        page.wait_for_selector("#phone-form[data-draft-loaded='1']", state="attached")
        assert page.inner_text("h1") == saved_name
        assert page.input_value("#id_note") == "断网前填写的检查情况"
        assert page.input_value("#id_inspection_time") == "10:15"
        assert "已恢复本机保存的草稿" in page.inner_text("#sync-status")
        if screenshots := os.environ.get("SCREENSHOTS_DIR"):
            Path(screenshots, "issue14").mkdir(parents=True, exist_ok=True)
            page.evaluate("window.scrollTo(0, 0)")  # the reload keeps the scroll; the note shows the top
            page.screenshot(path=f"{screenshots}/issue14/phone-offline-reload.png")

        # Still offline: the inspector enters the rest, takes two photos and gets the signature, and submits.
        page.set_input_files("#id_photos", [str(p) for p in photos])
        page.wait_for_function("document.querySelectorAll('#photo-list img').length === 2")
        draw_signature(page)
        page.check("input[name=categories][value=未发现问题]")
        page.check("input[name=measures][value=无需后续处置]")
        page.check("#id_cert_shown")
        page.fill("#id_note", "断网前填写的检查情况；断网后补充完整。")
        page.click("#submit-record")
        page.wait_for_function(
            "document.getElementById('sync-status').textContent.includes('联网后自动发送')"
        )
        assert not InspectionRecord.objects.exists() and drafts_kept(page) == 1

        context.set_offline(False)
        page.wait_for_function("document.getElementById('sync-status').textContent.includes('已提交审核')")
        page.evaluate("window.dispatchEvent(new Event('online'))")
        page.wait_for_function(DRAFTS_COUNT + ".then(n => n === 0)")
    finally:
        context.close()

    [rec] = InspectionRecord.objects.filter(selection=selection)
    assert rec.status == RecordStatus.SUBMITTED and rec.note == "断网前填写的检查情况；断网后补充完整。"
    assert str(rec.inspection_time) == "10:15:00"
    assert AuditEvent.objects.filter(action="record.submit").count() == 1
    kinds = sorted(Attachment.objects.filter(record=rec).values_list("kind", flat=True))
    assert kinds == ["现场照片", "现场照片", "签字"]


def test_a_draft_left_in_local_storage_moves_to_indexeddb_once(browser, live_server, alice):
    selection = drawn_selection(alice)
    team = list(selection.team.filter(active=True).order_by("order").values_list("inspector_id", flat=True))
    me = inspector_account(alice, team[0])
    # A draft of the localStorage era: fields, and a photo as a data: URL (a 1×1 JPEG is enough to render).
    legacy = {
        "key": "0123456789abcdef0123456789abcdef",
        "rev": 3,
        "fields": [["inspection_time", "08:45"], ["note", "旧版草稿"]],
        "photos": [
            "data:image/jpeg;base64,/9j/4AAQSkZJRgABAQEASABIAAD/2wBDAP////////////////////////////////////////"
            "//////////////////////////////////////////////wgALCAABAAEBAREA/8QAFBABAAAAAAAAAAAAAAAAAAAAAP/aAAgB"
            "AQABPxA="
        ],
        "signature": None,
        "pending": None,
    }
    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15000)
    try:
        sign_in(page, live_server, me.username, PASSWORD)
        page.goto(f"{live_server.url}/my/visits/{selection.pk}/")
        page.wait_for_selector("#phone-form[data-draft-loaded='1']", state="attached")
        store_key = page.get_attribute("#phone-form", "data-draft")
        page.evaluate("([k, v]) => localStorage.setItem(k, JSON.stringify(v))", [store_key, legacy])
        page.reload()
        page.wait_for_selector("#phone-form[data-draft-loaded='1']", state="attached")
        assert (
            page.input_value("#id_note") == "旧版草稿" and page.input_value("#id_inspection_time") == "08:45"
        )
        assert page.locator("#photo-list img").count() == 1
        assert page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('ssj-draft-')).length") == 0
        assert drafts_kept(page) == 1
        kept = page.evaluate(
            """k => new Promise(r => { const o = indexedDB.open("ssj-phone", 1); o.onsuccess = () => {
                 const g = o.result.transaction("drafts").objectStore("drafts").get(k);
                 g.onsuccess = () => { const d = g.result; o.result.close();
                   r({key: d.key, rev: d.rev, blob: d.photos[0] instanceof Blob, type: d.photos[0].type}); }; }; })""",
            store_key,
        )
        assert kept == {"key": legacy["key"], "rev": 3, "blob": True, "type": "image/jpeg"}
    finally:
        context.close()
