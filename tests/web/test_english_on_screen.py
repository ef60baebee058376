"""The walks' reader (tests/browser/walks.py): which Latin words on a page count as English a person must not meet."""

import pytest

from shuangsuiji.draws import services as draws
from tests.browser.walks import english_words
from tests.conftest import login
from tests.draws.helpers import ANNOUNCED, SOURCES, published_scheme


def test_the_whitelist_lets_product_and_file_names_through_and_nothing_else():
    assert english_words("请下载 candidates-public.csv，用 Excel 或 WPS 打开；SHA-256 与 DRAW-v1") == []
    assert (
        english_words("指纹 9BD1 D434 93F0，核验码 3Z5TT-NHFME，事项 SCJG-001，见 http://x.cn/portal/verify/")
        == []
    )
    assert english_words("来源 lottery：RAISED，tags=['食品经营']，检查组 SCJG × 2") == [
        "lottery",
        "RAISED",
        "tags",
        "SCJG",
    ]


@pytest.mark.django_db
def test_the_auditors_work_bench_names_recent_actions_in_chinese(client, alice, audrey):
    published_scheme(alice)
    login(client, audrey)
    html = client.get("/").content.decode()
    assert "最近操作" in html and "公示工作方案" in html and "scheme.publish" not in html


@pytest.mark.django_db
def test_a_draw_names_its_hash_by_its_published_name(client, alice, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    scheme = published_scheme(alice)
    draw = draws.draw_freeze(actor=alice, scheme=scheme, sources=SOURCES, announced=ANNOUNCED)
    login(client, alice)
    html = client.get(f"/draws/{draw.pk}/").content.decode()
    assert "（SHA-256）" in html and "（sha256）" not in html
