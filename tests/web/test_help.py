"""Issue 15, item 13: help in place. The user manual at /help/ in the site's frame, a "帮助" link on every page to its
section, the login page's link to the public portal, the first-login tour of each role, and /favicon.ico."""

from __future__ import annotations

import html
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from django.conf import settings
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from shuangsuiji.audit.models import AuditEvent
from shuangsuiji.labels import ACTIONS
from shuangsuiji.web import help as manual
from tests.conftest import login

# Declared, not only implied by the user fixtures: the parametrized tests take their user by request.getfixturevalue,
# which pytest-django cannot see when it orders database tests before the transactional (browser) ones.
pytestmark = pytest.mark.django_db

REPOSITORY = Path(settings.BASE_DIR)
HOSTILE = """# 手册

<script>alert("x")</script>

<div onclick="alert(1)">块</div>

段落里的 <img src=x onerror="alert(2)"> 和 <b>粗体</b>，[点我](javascript:alert(3))，[门户](/portal/)。
"""


def signed_in(user) -> Client:
    client = Client()
    login(client, user)
    return client


def ids(page: str) -> set[str]:
    return {html.unescape(i) for i in re.findall(r'\bid="([^"]+)"', page)}


def help_link(page: str) -> str:
    m = re.search(r'<a href="([^"]*)"[^>]*id="help-link">帮助</a>', page)
    assert m, "no 帮助 link in the page's header"
    return html.unescape(m.group(1))


# --- the manual at /help/ -------------------------------------------------------------------------------------------


def test_the_manual_is_shown_at_help_inside_the_sites_frame(amy):
    response = signed_in(amy).get("/help/")
    assert response.status_code == 200
    page = response.content.decode()
    assert '<header class="top">' in page and "<title>帮助 · " in page  # the site's frame, with its menu
    assert "双随机平台用户手册" in page and 'id="help-contents"' in page  # the manual and its contents
    assert "<table>" in page and "<td>部门管理员</td>" in page  # the role table is a table, not pipes
    # Nothing is fetched from elsewhere: every script, style sheet and image is the site's own.
    for tag, attr in (("script", "src"), ("link", "href"), ("img", "src")):
        for url in re.findall(rf"<{tag}\b[^>]*\b{attr}=\"([^\"]+)\"", page):
            assert url.startswith("/"), f"<{tag}> loads {url}"


def test_an_anonymous_visitor_of_the_manual_is_sent_to_the_login_page(db):
    response = Client().get("/help/")
    assert response.status_code == 302 and urlsplit(response["Location"]).path == settings.LOGIN_URL


def test_raw_html_in_the_manual_is_shown_as_text_and_never_run(amy, tmp_path, settings):
    hostile = tmp_path / "用户手册.md"
    hostile.write_text(HOSTILE, encoding="utf-8")
    settings.USER_MANUAL_PATH = str(hostile)
    page = signed_in(amy).get("/help/").content.decode()
    manual_html = page.split('id="manual">', 1)[1]
    assert "<script" not in manual_html and "<img" not in manual_html and "<div onclick" not in manual_html
    assert '&lt;script&gt;alert("x")&lt;/script&gt;' in manual_html  # shown, as text
    assert "&lt;b&gt;粗体&lt;/b&gt;" in manual_html
    assert "javascript:" not in manual_html.split("</article>")[0]
    assert "<a>点我</a>" in manual_html  # the dangerous link keeps its text, loses its address
    assert '<a href="/portal/">门户</a>' in manual_html  # an ordinary link stays a link


def test_a_chinese_paragraph_wrapped_in_the_source_reads_without_stray_spaces(amy, tmp_path, settings):
    wrapped = tmp_path / "用户手册.md"
    wrapped.write_text(
        "# 手册\n\n1. 列出建议比例及\n   理由；用 `代\n码` 和 Excel\n   导出。\n", encoding="utf-8"
    )
    settings.USER_MANUAL_PATH = str(wrapped)
    page = signed_in(amy).get("/help/").content.decode()
    assert "列出建议比例及理由；" in page  # no space between 及 and 理 in the browser
    assert "<code>代\n码</code>" in page  # code is left as written
    assert "Excel\n   导出" in page  # a break next to a Latin word stays a space


def test_the_manual_comes_from_the_repository_in_development():
    assert manual.manual_path() == REPOSITORY / "docs" / "用户手册.md"


def test_a_built_package_carries_the_manual_and_shows_it_without_the_repository(tmp_path):
    """setup.py's build_py copies docs/用户手册.md into the package; the installed package reads that copy."""
    build = tmp_path / "lib"
    subprocess.run(
        [sys.executable, "setup.py", "-q", "build_py", "--build-lib", str(build)],
        cwd=REPOSITORY,
        check=True,
        capture_output=True,
    )
    packaged = build / "shuangsuiji" / "web" / "manual" / "用户手册.md"
    assert packaged.read_bytes() == (REPOSITORY / "docs" / "用户手册.md").read_bytes()
    assert (build / "shuangsuiji" / "web" / "templates" / "web" / "help.html").is_file()
    # The built package alone (no docs/ beside it): it finds and renders its own copy.
    probe = (
        "import django; django.setup()\n"
        "import shuangsuiji; from shuangsuiji.web import help\n"
        "body, toc, anchors = help.render_manual()\n"
        "print(shuangsuiji.__file__); print(help.manual_path()); print('检查对象名录库' in anchors)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=tmp_path,
        env={
            "PYTHONPATH": str(build),
            "DJANGO_SETTINGS_MODULE": "shuangsuiji.settings",
            "PATH": "/usr/bin:/bin",
        },
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split("\n")
    assert out[0] == str(build / "shuangsuiji" / "__init__.py")
    assert out[1:3] == [str(packaged), "True"]


def test_a_missing_manual_is_named_with_every_place_looked_at(settings, tmp_path, monkeypatch):
    settings.USER_MANUAL_PATH = str(tmp_path / "无.md")
    monkeypatch.setattr(manual, "REPOSITORY_MANUAL", tmp_path / "docs" / "用户手册.md")
    monkeypatch.setattr(manual, "PACKAGED_MANUAL", tmp_path / "manual" / "用户手册.md")
    with pytest.raises(manual.ManualMissing, match="用户手册未找到"):
        manual.manual_path()


# --- the 帮助 link of every page ------------------------------------------------------------------------------------


def _named_internal_routes(resolver=None, namespace: str = "") -> set[str]:
    names: set[str] = set()
    for p in (resolver or get_resolver()).url_patterns:
        if isinstance(p, URLResolver):
            ns = p.namespace or ""
            if ns in ("admin", "portal", "api") or str(p.pattern).startswith(("admin/", "api/")):
                continue  # Django's admin, the public portal (its own frame) and the API have no 帮助 link
            names |= _named_internal_routes(p, ns)
        elif isinstance(p, URLPattern) and p.name:
            names.add(f"{namespace}:{p.name}" if namespace else p.name)
    return names


def test_every_internal_page_either_has_a_section_of_the_manual_or_opens_its_contents():
    routes = _named_internal_routes()
    assert {"home", "object_list", "scheme_detail", "draw_ceremony", "record_review", "stats"} <= routes
    undecided = routes - set(manual.HELP_ANCHORS) - manual.HELP_CONTENTS
    assert not undecided, f"pages without a decision about their help: {sorted(undecided)}"
    stale = (set(manual.HELP_ANCHORS) | manual.HELP_CONTENTS) - routes
    assert not stale, f"help mapped for pages that do not exist: {sorted(stale)}"


def test_every_mapped_section_exists_in_the_manual_as_shown(amy):
    shown = ids(signed_in(amy).get("/help/").content.decode())
    missing = {name: a for name, a in manual.HELP_ANCHORS.items() if a not in shown}
    assert not missing, missing
    assert len(set(manual.HELP_ANCHORS.values())) >= 25  # one section per main page, not one for all


@pytest.mark.parametrize(
    ("who", "path", "section"),
    [
        ("alice", "/", "工作台与消息"),
        ("amy", "/objects/", "检查对象名录库"),
        ("alice", "/inspectors/", "执法检查人员名录库"),
        ("alice", "/plans/new/", "年度抽查计划"),
        ("alice", "/schemes/", "工作方案"),
        ("rita", "/review/", "审核与公示"),
        ("olivia", "/caps/", "年度抽查次数上限"),
        ("amy", "/import/", "导入与导出"),
        ("alice", "/accountability/", "问责报表"),
        ("sam", "/calendar/", "节假日"),
        ("sergei", "/security/", "账号安全"),
        ("audrey", "/audit/", "审计记录"),
        ("amy", "/help/", ""),
    ],
)
def test_each_pages_help_link_opens_the_manual_at_its_section(request, who, path, section):
    user = request.getfixturevalue(who)
    client = signed_in(user)
    page = client.get(path)
    assert page.status_code == 200, path
    link = help_link(page.content.decode())
    assert link == ("/help/#" + section if section else "/help/")
    target = client.get(urlsplit(link).path)
    assert target.status_code == 200
    if section:
        assert unquote(urlsplit(link).fragment) in ids(target.content.decode())


# --- the login page and the public portal ---------------------------------------------------------------------------


def test_the_login_page_links_to_the_public_portal_which_opens_without_signing_in(db):
    client = Client()
    page = client.get("/login/").content.decode()
    m = re.search(r'id="portal-link">[^<]*<a href="([^"]+)">公示门户</a>', page)
    assert m, "no link to the public portal on the login page"
    assert client.get(m.group(1)).status_code == 200


# --- /favicon.ico ---------------------------------------------------------------------------------------------------


def test_the_favicon_is_served_to_anyone_at_the_address_browsers_ask_for(db):
    response = Client().get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert "max-age=86400" in response["Cache-Control"]
    icon = REPOSITORY / "shuangsuiji" / "web" / "static" / "ssj" / "favicon.svg"
    assert response.content == icon.read_bytes()


def test_the_favicon_reaches_an_administrator_before_the_second_factor(sam):
    client = Client()
    client.force_login(sam)  # signed in with the password, the second factor not yet passed
    assert client.get("/").status_code == 302
    assert client.get("/favicon.ico").status_code == 200


# --- the first-login tour -------------------------------------------------------------------------------------------

TOURS = {
    "alice": ["导入检查对象名录", "制定年度计划", "发布任务方案"],
    "olivia": ["审核年度计划", "设置全市年度抽查上限", "查看各部门统计分析"],
    "amy": ["维护检查对象的监管属性", "录入检查结果", "修改被退回的检查记录"],
    "rita": ["审核检查结果", "处理 5 个工作日内到期的公示", "处理已逾期未公示的结果"],
    "sam": ["录入下一年节假日安排", "核对部门与区划", "查看问责报表"],
    "sergei": ["修改初始密码", "解锁被锁定的账号", "重置管理员的动态口令"],
    "audrey": ["修改初始密码", "查阅审计记录", "查看统计分析"],
}


def tour(page: str) -> list[tuple[str, str, str]]:
    """(task, its page, its help) of the work-bench's "您的前三项任务" panel; [] when there is none."""
    m = re.search(r'<div class="card tour" id="tour">.*?</div>', page, re.S)
    if not m:
        return []
    assert "您的前三项任务" in m.group(0)
    return [
        (text, html.unescape(url), html.unescape(help_))
        for url, text, help_ in re.findall(
            r'<li><a href="([^"]+)">([^<]+)</a>（<a href="([^"]+)">说明</a>）</li>', m.group(0)
        )
    ]


@pytest.mark.parametrize("who", list(TOURS))
def test_a_first_login_shows_the_roles_first_three_tasks_each_a_link_to_a_page_it_can_open(request, who):
    user = request.getfixturevalue(who)
    client = signed_in(user)
    tasks = tour(client.get("/").content.decode())
    assert [t for t, _, _ in tasks] == TOURS[who]
    shown = ids(client.get("/help/").content.decode())
    for text, url, help_ in tasks:
        response = client.get(url)
        assert response.status_code == 200, f"{text} → {url}: {response.status_code}"
        assert unquote(urlsplit(help_).fragment) in shown, f"{text}: {help_}"


def test_the_department_administrators_tasks_open_the_import_the_new_plan_and_the_new_scheme(alice):
    tasks = tour(signed_in(alice).get("/").content.decode())
    assert [url for _, url, _ in tasks] == ["/import/", "/plans/new/", "/schemes/new/"]


@pytest.mark.parametrize("who", list(TOURS))
def test_dismissing_the_tour_hides_it_for_good_and_is_audited(request, who):
    user = request.getfixturevalue(who)
    client = signed_in(user)
    response = client.post("/tour/dismiss/")
    assert response.status_code == 302 and response["Location"] == "/"
    assert tour(client.get("/").content.decode()) == []
    [event] = AuditEvent.objects.filter(action="tour.dismiss")
    assert event.actor == user and ACTIONS[event.action] == "关闭首次登录指引"
    client.post("/tour/dismiss/")  # a second click (another tab) changes nothing
    assert AuditEvent.objects.filter(action="tour.dismiss").count() == 1
    user.refresh_from_db()
    assert user.tour_dismissed_at is not None
    # Signed in again later: still hidden.
    assert tour(signed_in(user).get("/").content.decode()) == []


def test_the_tour_cannot_be_dismissed_by_a_get_or_by_an_anonymous_visitor(alice):
    assert signed_in(alice).get("/tour/dismiss/").status_code == 405
    response = Client().post("/tour/dismiss/")
    assert response.status_code == 302 and urlsplit(response["Location"]).path == settings.LOGIN_URL
    assert tour(signed_in(alice).get("/").content.decode())  # still shown
    assert not AuditEvent.objects.filter(action="tour.dismiss").exists()


def test_one_users_dismissal_leaves_the_others_tour_in_place(alice, bob):
    signed_in(alice).post("/tour/dismiss/")
    assert tour(signed_in(bob).get("/").content.decode())
