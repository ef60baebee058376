"""The server secret and the DRAW-v1.1 sealed value are stored sealed with a key outside the database (issue 17,
item 8): whoever reads the database alone cannot learn them before the ceremony, and no role sees them before the
ceremony reveals the server secret. The sealed value is never public, only in the full certificate.
"""

import importlib
import json

import pytest
from django.db import connection

from shuangsuiji.audit.models import AuditEvent
from shuangsuiji.codes.errors import PersonalDataError
from shuangsuiji.directory.models import Conflict, InspectionObject, Inspector
from shuangsuiji.draws import services
from shuangsuiji.draws.models import Draw, DrawStatus
from tests.api.conftest import ApiClient
from tests.conftest import login
from tests.draws.helpers import ANNOUNCED, REVEALS, SOURCES, THROWN_BY, WITNESSES, published_scheme

pytestmark = pytest.mark.today("2026-11-27")
MIGRATION = importlib.import_module("shuangsuiji.draws.migrations.0009_draw_secrets_sealed")


@pytest.fixture(autouse=True)
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def frozen(alice):
    scheme = published_scheme(alice)
    return services.draw_freeze(actor=alice, scheme=scheme, sources=SOURCES, announced=ANNOUNCED)


def raw_row(draw) -> dict:
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM draws_draw WHERE id = %s", [draw.pk])
        names = [c[0] for c in cursor.description]
        return dict(zip(names, cursor.fetchone(), strict=True))


def raw_audit() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM audit_auditevent")
        return json.dumps(cursor.fetchall(), default=str, ensure_ascii=False)


def test_the_database_alone_does_not_hold_the_secrets_before_the_ceremony(frozen):
    draw = Draw.objects.get(pk=frozen.pk)
    assert draw.sealed and len(draw.secret) == 64 and len(draw.sealed_secret) == 64
    row = raw_row(draw)
    assert row["secret"].startswith("sm4gcm$") and row["sealed_secret"].startswith("sm4gcm$")
    dump = json.dumps(row, default=str, ensure_ascii=False) + raw_audit()
    assert draw.secret not in dump and draw.sealed_secret not in dump


def test_without_the_key_the_secret_cannot_be_opened(settings, frozen):
    settings.PERSONAL_DATA_KEY = "a-different-key-that-is-not-the-deployments"
    with pytest.raises(PersonalDataError):
        Draw.objects.get(pk=frozen.pk).secret  # noqa: B018


def test_no_role_sees_the_secrets_before_the_ceremony(
    client, alice, amy, rita, bob, olivia, audrey, sam, frozen
):
    draw = Draw.objects.get(pk=frozen.pk)
    bodies = [client.get(f"/portal/tasks/{draw.scheme_id}/").content.decode()]
    for user in (alice, amy, rita, bob, olivia, audrey, sam):
        login(client, user)
        pages = [
            f"/draws/{draw.pk}/",
            f"/draws/{draw.pk}/ceremony/",
            f"/schemes/{draw.scheme_id}/",
            "/audit/",
        ]
        pages += [f"/audit/{pk}/" for pk in AuditEvent.objects.values_list("pk", flat=True)]
        for path in pages:
            bodies.append(client.get(path).content.decode())
        api = ApiClient(user)
        for path in (
            f"/draws/{draw.pk}",
            f"/draws/{draw.pk}/certificate",
            f"/draws/{draw.pk}/files/params.json",
            f"/draws/{draw.pk}/files/params-public.json",
            f"/schemes/{draw.scheme_id}",
        ):
            r = api.get(path)
            bodies.append(
                r.content.decode() if not hasattr(r, "streaming_content") else r.getvalue().decode()
            )
    for path in services.draw_dir(draw).rglob("*"):
        if path.is_file():
            bodies.append(path.read_text(encoding="utf-8"))
    text = "\n".join(bodies)
    assert "draw.freeze" in text  # the auditor read the trail
    assert draw.commitment in text  # the pages were read: the commitment is public at once
    assert draw.secret not in text and draw.sealed_secret not in text


def test_the_ceremony_reveals_the_server_secret_and_never_publishes_the_sealed_value(client, alice, frozen):
    secret, blind = Draw.objects.get(pk=frozen.pk).secret, Draw.objects.get(pk=frozen.pk).sealed_secret
    draw = services.draw_perform(
        actor=alice, draw=frozen, witnesses=WITNESSES, reveals=REVEALS, thrown_by=THROWN_BY
    )
    assert draw.status == DrawStatus.DRAWN
    portal = client.get(f"/portal/tasks/{draw.scheme_id}/").content.decode()
    assert secret in portal and blind not in portal
    api = ApiClient(alice)
    out = api.get(f"/draws/{draw.pk}").json()
    assert out["reveals"]["server"] == secret and "sealed" not in out["reveals"]
    # Only the full certificate carries it, and alice's reading it is audited.
    certificate = api.get(f"/draws/{draw.pk}/certificate").json()
    assert {s["name"]: s["value"] for s in certificate["sources"]}["sealed"] == blind
    assert AuditEvent.objects.filter(action="draw.read_sealed", actor=alice).exists()


def test_a_draw_that_fails_still_records_its_failure_without_the_secrets(alice):
    scheme = published_scheme(alice, entities=8, inspectors=2, strata={"A": {"count": 2}, "D": {"count": 1}})
    first = Inspector.objects.order_by("pk").first()
    for obj in InspectionObject.objects.all():
        Conflict.objects.create(inspector=first, object=obj, reason="亲属")
    draw = services.draw_freeze(actor=alice, scheme=scheme, sources=SOURCES, announced=ANNOUNCED)
    secret = draw.secret
    draw = services.draw_perform(
        actor=alice, draw=draw, witnesses=WITNESSES, reveals=REVEALS, thrown_by=THROWN_BY
    )
    assert draw.status == DrawStatus.FAILED and draw.failure
    assert draw.reveals["lottery"] and secret not in json.dumps(draw.reveals)
    assert "sealed" not in draw.reveals and draw.thrown_by == THROWN_BY
    assert raw_row(draw)["secret"].startswith("sm4gcm$")


def test_the_migration_seals_plain_secrets_and_opens_them_again_when_reversed(frozen):
    secret, blind = frozen.secret, frozen.sealed_secret
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE draws_draw SET secret = %s, sealed_secret = %s WHERE id = %s", [secret, blind, frozen.pk]
        )

    class Editor:
        pass

    editor = Editor()
    editor.connection = connection
    MIGRATION.seal_existing(None, editor)
    row = raw_row(frozen)
    assert row["secret"].startswith("sm4gcm$") and secret not in json.dumps(row, default=str)
    assert Draw.objects.get(pk=frozen.pk).secret == secret
    MIGRATION.seal_existing(None, editor)  # running twice seals nothing twice
    assert Draw.objects.get(pk=frozen.pk).sealed_secret == blind
    MIGRATION.open_existing(None, editor)
    assert raw_row(frozen)["secret"] == secret and raw_row(frozen)["sealed_secret"] == blind
