"""Issue 14 / ADR 0027: the Service Worker that lets the phone form reload offline (the browser behaviour is tested in
tests/browser/test_phone_record_in_a_browser.py)."""

import pytest

from tests.conftest import login
from tests.inspections.helpers import drawn_selection
from tests.web.test_inspector_phone_pages import account_for, team_of


@pytest.fixture(autouse=True)
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path


def test_the_service_worker_is_served_locally_with_its_scope(client):
    response = client.get("/my/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Service-Worker-Allowed"] == "/my/"
    body = response.content.decode()
    # Network first: the saved copy answers only when the network fails; only GETs, never the sync POST.
    assert 'request.method !== "GET"' in body and '"/my/visits/"' in body and '"/static/"' in body
    assert "http://" not in body and "https://" not in body  # nothing from outside


def test_the_phone_form_registers_the_service_worker_for_the_my_pages(client, alice):
    selection = drawn_selection(alice)
    inspector = account_for(alice, team_of(selection)[0])
    login(client, inspector)
    page = client.get(f"/my/visits/{selection.pk}/").content.decode()
    assert 'data-sw-url="/my/sw.js"' in page and 'data-sw-scope="/my/"' in page
    assert f'data-draft="ssj-draft-{inspector.pk}-{selection.pk}"' in page


def test_the_sign_in_page_drops_the_saved_pages(client):
    page = client.get("/login/").content.decode()
    assert "ssj/forget.js" in page
