"""Every portal page opens for the anonymous public, in Chinese, and refuses anything but GET."""

import pytest

from shuangsuiji.portal.verifier.wheel import wheel
from tests import factories
from tests.portal.helpers import RISK_NAMES, drawn


@pytest.fixture(autouse=True)
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path


def _urls(scheme, draw):
    return [
        "/portal/",
        "/portal/items/",
        "/portal/plans/",
        "/portal/tasks/",
        f"/portal/tasks/{scheme.pk}/",
        f"/portal/draws/{draw.pk}/files/params-public.json",
        f"/portal/draws/{draw.pk}/files/result-public.json",
        "/portal/verifier/",
        "/portal/verifier/verify_draw.py",
        f"/portal/verifier/{wheel().filename}",
    ]


def test_every_page_opens_for_an_anonymous_visitor(client, alice):
    scheme, draw = drawn(alice)
    for url in _urls(scheme, draw):
        r = client.get(url)
        assert r.status_code == 200, url


def test_a_post_to_any_portal_url_is_refused_with_405(client, alice):
    scheme, draw = drawn(alice)
    for url in _urls(scheme, draw):
        assert client.post(url).status_code == 405, url
        assert client.put(url).status_code == 405, url
        assert client.delete(url).status_code == 405, url


def test_the_portal_header_has_no_internal_navigation_even_for_a_signed_in_user(client, alice):
    client.force_login(alice)
    page = client.get("/portal/").content.decode()
    assert "抽查事项清单" in page and "抽查计划公告" in page and "抽查任务公告" in page
    assert "/objects/" not in page and "退出" not in page and "/inspectors/" not in page


def test_the_index_lists_three_sections_and_no_results_placeholder(client, db):
    page = client.get("/portal/").content.decode()
    assert page.count('href="/portal/items/"') >= 1
    assert "检查结果公示" not in page and "随后提供" not in page
    assert 'lang="zh-CN"' in page


def test_the_item_list_shows_valid_items_of_all_departments_with_the_general_ratio_cap(client, db):
    factories.item("SCJG", name="企业公示信息抽查", ratio_cap="0.05", object_scope="辖区内企业")
    factories.item("WJW", name="公共场所卫生检查", category="重点", ratio_cap=None)
    factories.item("SCJG", name="已停用的旧事项", status="停用")
    page = client.get("/portal/items/").content.decode()
    assert "企业公示信息抽查" in page and "公共场所卫生检查" in page and "已停用的旧事项" not in page
    assert "5%" in page and "不设上限" in page and "辖区内企业" in page
    assert "《企业信息公示暂行条例》第十四条" in page
    page = client.get("/portal/items/?department=WJW").content.decode()
    assert "公共场所卫生检查" in page and "企业公示信息抽查" not in page


def test_no_portal_page_names_a_risk_class(client, alice):
    scheme, draw = drawn(
        alice, directed=True, filters={"risk_classes": ["D"]}, strata={"D": {"ratio": "0.5", "reserve": 1}}
    )
    for url in [
        "/portal/",
        "/portal/items/",
        "/portal/tasks/",
        f"/portal/tasks/{scheme.pk}/",
        "/portal/verifier/",
    ]:
        page = client.get(url).content.decode()
        assert not [n for n in RISK_NAMES if n in page], url
    page = client.get(f"/portal/tasks/{scheme.pk}/").content.decode()
    assert "信用风险分类依规不予公开" in page
