"""Issue 11 (8, 9): the scheme's bounds live in the service; a NUL character is refused before any view."""

import pytest


def test_the_scheme_service_bounds_what_the_page_used_to_accept(alice):
    # Issue 11 (9): the web form had none of the API's bounds; one validation in the service now serves both.
    from shuangsuiji.directory.rows import RowInvalid
    from shuangsuiji.planning import services
    from tests import factories

    item = factories.item("SCJG", category="重点", ratio_cap=None)
    base = {
        "name": "边界测试",
        "adhoc_reason": "测试",
        "strata": {"A": {"ratio": "0.1", "reserve": 1}},
        "item_ids": [item.pk],
        "methods": ["实地核查"],
        "window_start": "2026-12-01",
        "window_end": "2026-12-20",
    }
    for change, message in [
        ({"window_start": "0001-01-01"}, "检查期限应在 2000—2100 年之间"),
        ({"window_end": "9999-12-31"}, "检查期限应在 2000—2100 年之间"),
        ({"same_item_days": "100000000000"}, "同一事项间隔天数：应为 0—3650 之间的整数"),
        ({"yearly_cap": "abc"}, "年度抽查次数上限：应为 1—100 之间的整数"),
        ({"raise_complaints": "-5"}, "投诉举报次数：应为 0—100000 之间的整数"),
        ({"team_slots": {"SCJG": 100000}}, "检查组人数（SCJG）：应为 1—100 之间的整数，实为 100000"),
        ({"strata": {"A": {"count": "100000000000000000000"}}}, "分层 A 数量：应为 0—10000000 之间的整数"),
        ({"strata": {"A": {"ratio": "0.1", "reserve": "²"}}}, "分层 A 候补数：应为 0—100000 之间的整数"),
    ]:
        with pytest.raises(RowInvalid, match=message):
            services.scheme_create(actor=alice, data=base | change)


def test_a_nul_character_is_refused_in_chinese_on_pages_and_in_the_api(client, alice):
    from tests.api.conftest import ApiClient
    from tests.conftest import login

    login(client, alice)
    r = client.get("/objects/?q=舞钢\x00市")
    assert r.status_code == 400 and "q：不能包含空字符" in r.content.decode()
    # The API's schemas refuse it field by field.
    r = ApiClient(alice).post("/objects", {"name": "舞钢\u0000市", "code": "x"})
    assert r.status_code == 422 and "空字符" in str(r.json()["errors"])
