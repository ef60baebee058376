"""Issue 15, items 10 and 14: with DEBUG off a user sees Chinese error pages in the site's frame with a way back,
never Django's debug page; `make run` serves that way on the port it prints."""

import shutil
import subprocess
from pathlib import Path

import pytest
from django.test import Client, RequestFactory

from shuangsuiji.inspections import services
from shuangsuiji.web.errors import server_error
from tests.conftest import login
from tests.inspections.helpers import drawn_selection

ROOT = Path(__file__).resolve().parents[2]
DEBUG_PAGE = ("Page not found", "URLconf", "Traceback", "Forbidden", "CSRF verification failed")


@pytest.fixture(autouse=True)
def no_debug(settings, tmp_path):
    settings.DEBUG = False
    settings.MEDIA_ROOT = tmp_path


def assert_chinese_page(r, status: int, title: str) -> str:
    page = r.content.decode()
    assert r.status_code == status
    assert title in page and 'id="error-page"' in page and "返回工作台" in page
    assert not any(word in page for word in DEBUG_PAGE)
    return page


def test_another_department_opening_a_record_gets_the_chinese_not_found_page(client, alice, amy, bob):
    rec = services.record_create(actor=amy, selection=drawn_selection(alice))
    login(client, bob)
    page = assert_chinese_page(client.get(f"/records/{rec.pk}/"), 404, "未找到")
    assert "检查对象名录库" in page  # in the site's frame, with bob's menu
    assert rec.object.name not in page


def test_an_unknown_address_gets_the_chinese_not_found_page(client, amy):
    login(client, amy)
    assert_chinese_page(client.get("/no-such-page/"), 404, "未找到")


def test_a_refused_action_gets_the_chinese_forbidden_page_with_its_reason(client, amy):
    login(client, amy)
    page = assert_chinese_page(client.get("/review/"), 403, "没有权限")
    assert "只有审核员可以审核检查结果" in page


def test_a_form_without_its_csrf_token_gets_a_chinese_page(amy):
    client = Client(enforce_csrf_checks=True)
    login(client, amy)
    page = assert_chinese_page(client.post("/notifications/read/"), 403, "没有权限")
    assert "页面已过期" in page


def test_a_bad_request_gets_the_chinese_page(client):
    assert_chinese_page(client.get("/", HTTP_HOST="evil.example"), 400, "请求有误")


def test_a_server_error_gets_a_chinese_page_that_needs_no_database():
    r = server_error(RequestFactory().get("/"))  # no `db` fixture: a query here would fail the test
    assert_chinese_page(r, 500, "服务器错误")


@pytest.mark.skipif(not shutil.which("make"), reason="make is not installed")
def test_make_run_serves_with_debug_off_on_the_port_it_prints():
    out = subprocess.run(["make", "-n", "run", "PORT=8123"], cwd=ROOT, capture_output=True, text=True).stdout
    serve = next(line for line in out.splitlines() if "runserver" in line)
    assert "DEBUG=false" in serve and "DEMO_MODE=true" in serve and "--insecure" in serve
    assert serve.rstrip().endswith("127.0.0.1:8123")
    assert "--address 127.0.0.1:8123" in out
