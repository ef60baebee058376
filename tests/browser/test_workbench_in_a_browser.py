"""Issue 15, items 1 and 2 in a real headless Chromium: the clerk's submitted result reaches the reviewer as a badge,
a message and a to-do; she follows them by clicking only."""

import re

import pytest

from shuangsuiji.inspections import services
from shuangsuiji.inspections.models import Notification, RecordStatus
from tests.browser.conftest import sign_in
from tests.conftest import PASSWORD
from tests.inspections.helpers import drawn_selection

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reference_data"),
]


@pytest.fixture(autouse=True)
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path


def test_the_reviewer_follows_the_badge_the_message_and_the_to_do_to_the_submitted_result(
    page, live_server, alice, amy, rita
):
    selection = drawn_selection(alice)
    sign_in(page, live_server, "amy", PASSWORD)
    page.click(f".todo a[href='/draws/{selection.draw_id}/']")  # 已抽中、尚未录入检查结果的对象
    page.wait_for_url(re.compile(rf"/draws/{selection.draw_id}/$"))
    page.click("button:has-text('退出')")
    rec = services.record_create(actor=amy, selection=selection)
    services.record_submit(
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

    sign_in(page, live_server, "rita", PASSWORD)
    assert page.inner_text("#nav-home .badge") == "1"
    assert page.inner_text("#unread") == "消息（1）"
    page.click(f"#unread-list button:has-text('{selection.object.name}')")  # opening it is a POST
    page.wait_for_url(re.compile(rf"/records/{rec.pk}/$"))
    assert Notification.objects.get(user=rita).read_at is not None
    assert page.inner_text("#unread") == "消息"

    page.click("#nav-home")
    page.click(".todo-head:has-text('待审核的检查结果')")
    page.wait_for_url(re.compile(r"/review/$"))
    assert selection.object.name in page.inner_text("main")
    page.click("button:has-text('审核通过')")
    page.wait_for_url(re.compile(r"/review/$"))
    rec.refresh_from_db()
    assert rec.status == RecordStatus.PUBLISHED
    page.click("#nav-home")
    assert page.locator("#nav-home .badge").count() == 0 and "当前没有待办事项" in page.inner_text("main")
