import json

import pytest

from shuangsuiji import draw as engine
from shuangsuiji.audit.models import AuditEvent
from shuangsuiji.directory.models import Conflict
from shuangsuiji.directory.rows import RowInvalid
from shuangsuiji.draws import services
from shuangsuiji.draws.models import DrawStatus, Selection, TeamMember
from shuangsuiji.draws.services import DrawRefused, draw_dir
from shuangsuiji.planning.models import SchemeStatus
from tests.draws.helpers import ANNOUNCED, REVEALS, SOURCES, THROWN_BY, WITNESSES, published_scheme

# The helper's task window is 1–20 December 2026; recusal and open-task rules compare it with today.
pytestmark = pytest.mark.today("2026-11-27")


@pytest.fixture(autouse=True)
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path


def test_a_frozen_list_commits_to_files_that_verify_after_the_ceremony(alice):
    scheme = published_scheme(alice)
    assert scheme.task_no == "舞市监抽查〔2026〕1号"
    draw = services.draw_freeze(actor=alice, scheme=scheme, sources=SOURCES, announced=ANNOUNCED)
    assert draw.status == DrawStatus.FROZEN and draw.candidates_count == 40
    # A and D have different ratios: the strata are sealed, the public commitment is that of the projection.
    assert draw.sealed and engine.commitment_of(draw_dir(draw)) == draw.full_commitment
    assert engine.verify_public(services.public_dir(draw)).ok
    params = json.loads(draw.params_json)
    assert draw.secret not in draw.params_json and params["task_no"] == scheme.task_no
    # Risk classes are never public: the files carry random stratum codes, the map stays inside.
    assert all(len(c) == 9 and c.startswith("S") for c in params["strata"])
    assert sorted(draw.strata_map.values()) == ["A", "D"]
    assert ",A," not in (draw_dir(draw) / "candidates.csv").read_text().replace("\n", ",")

    draw = services.draw_perform(
        actor=alice, draw=draw, witnesses=WITNESSES, reveals=REVEALS, thrown_by=THROWN_BY
    )
    assert draw.status == DrawStatus.DRAWN
    report = engine.verify(draw_dir(draw))
    assert report.ok, report.message
    assert engine.verify_public(services.public_dir(draw)).ok
    full = engine.verify_full(draw_dir(draw), services.public_dir(draw))
    assert full.ok, (full.path, full.message)
    selected = Selection.objects.filter(draw=draw, active=True)
    assert selected.count() == 3 + 5  # ceil(30 × 0.1) + ceil(10 × 0.5)
    for sel in selected:
        assert sel.team.filter(active=True).count() == 2
    scheme.refresh_from_db()
    assert scheme.status == SchemeStatus.DRAWN
    assert AuditEvent.objects.filter(action__in=["draw.freeze", "draw.perform"]).count() == 2


def test_a_second_ceremony_on_the_same_draw_is_refused(alice):
    scheme = published_scheme(alice)
    draw = services.draw_freeze(actor=alice, scheme=scheme, sources=SOURCES, announced=ANNOUNCED)
    draw = services.draw_perform(
        actor=alice, draw=draw, witnesses=WITNESSES, reveals=REVEALS, thrown_by=THROWN_BY
    )
    with pytest.raises(DrawRefused, match="只能进行一次"):
        services.draw_perform(
            actor=alice, draw=draw, witnesses=WITNESSES, reveals={"lottery": "1,2,3", "witness": "1"}
        )


def test_a_redraw_is_a_new_draw_with_its_own_commitment_and_the_old_one_stays(alice):
    scheme = published_scheme(alice)
    first = services.draw_freeze(actor=alice, scheme=scheme, sources=SOURCES, announced=ANNOUNCED)
    services.draw_perform(actor=alice, draw=first, witnesses=WITNESSES, reveals=REVEALS, thrown_by=THROWN_BY)
    with pytest.raises(DrawRefused, match="理由"):
        services.draw_freeze(actor=alice, scheme=scheme, sources=SOURCES, announced=ANNOUNCED)
    second = services.draw_freeze(
        actor=alice, scheme=scheme, sources=SOURCES, announced=ANNOUNCED, redraw_reason="彩票停开，改期"
    )
    first.refresh_from_db()
    assert second.seq == 2 and second.redraw_of == first and second.commitment != first.commitment
    assert first.status == DrawStatus.SUPERSEDED and first.certificate_json
    assert not Selection.objects.filter(draw=first, active=True).exists()


def test_missing_lottery_numbers_change_nothing(alice):
    scheme = published_scheme(alice)
    draw = services.draw_freeze(actor=alice, scheme=scheme, sources=SOURCES, announced=ANNOUNCED)
    with pytest.raises(RowInvalid, match="请输入公开随机源的值"):
        services.draw_perform(actor=alice, draw=draw, witnesses=WITNESSES, reveals={"witness": "123"})
    draw.refresh_from_db()
    assert draw.status == DrawStatus.FROZEN and not Selection.objects.exists()


def test_an_uninspectable_object_is_replaced_by_the_first_reserve(alice):
    scheme = published_scheme(alice)
    draw = services.draw_freeze(actor=alice, scheme=scheme, sources=SOURCES, announced=ANNOUNCED)
    draw = services.draw_perform(
        actor=alice, draw=draw, witnesses=WITNESSES, reveals=REVEALS, thrown_by=THROWN_BY
    )
    public_a = {v: k for k, v in draw.strata_map.items()}["A"]
    gone = Selection.objects.filter(draw=draw, stratum=public_a, role="selected").first()
    cert = json.loads(draw.certificate_json)
    new = services.selection_substitute(actor=alice, selection=gone, reason_code="MOVED_OUT")
    assert new.object.code == cert["strata"][public_a]["reserves"][0][0]
    assert new.team.filter(active=True).count() == 2
    again = services.selection_substitute(actor=alice, selection=new, reason_code="SUSPENDED")
    assert again.object.code == cert["strata"][public_a]["reserves"][1][0]
    with pytest.raises(DrawRefused, match="候补对象已全部用完"):
        services.selection_substitute(actor=alice, selection=again, reason_code="SUSPENDED")


def test_an_unavailable_inspector_is_replaced_by_the_spec_rule(alice):
    scheme = published_scheme(alice, inspectors=5)
    draw = services.draw_freeze(actor=alice, scheme=scheme, sources=SOURCES, announced=ANNOUNCED)
    draw = services.draw_perform(
        actor=alice, draw=draw, witnesses=WITNESSES, reveals=REVEALS, thrown_by=THROWN_BY
    )
    member = TeamMember.objects.filter(selection__draw=draw, active=True).first()
    new = services.member_substitute(actor=alice, member=member, reason_code="UNAVAILABLE", note="病假")
    team = set(new.selection.team.filter(active=True).values_list("inspector_id", flat=True))
    assert member.inspector_id not in team and new.inspector_id in team and len(team) == 2


def test_declared_conflicts_and_the_previous_inspectors_are_recused(alice):
    scheme = published_scheme(alice, entities=8, inspectors=4, strata={"A": {"count": 6}, "D": {"count": 2}})
    draw = services.draw_freeze(actor=alice, scheme=scheme, sources=SOURCES, announced=ANNOUNCED)
    draw = services.draw_perform(
        actor=alice, draw=draw, witnesses=WITNESSES, reveals=REVEALS, thrown_by=THROWN_BY
    )
    member = (
        TeamMember.objects.filter(selection__draw=draw)
        .select_related("selection__object", "inspector")
        .first()
    )
    Conflict.objects.create(inspector=member.inspector, object=member.selection.object, reason="亲属")
    from shuangsuiji.planning.services import scheme_close
    from tests.draws.helpers import published_scheme as again

    scheme_close(actor=alice, scheme=scheme)

    second = again(
        alice,
        entities=0,
        inspectors=0,
        same_item_days=0,
        strata={"A": {"count": 6}, "D": {"count": 2}},
        items=[scheme.items.first().item],
    )
    second_draw = services.draw_freeze(actor=alice, scheme=second, sources=SOURCES, announced=ANNOUNCED)
    text = (draw_dir(second_draw) / "recusals.csv").read_text()
    # Inspectors appear under per-draw pseudonyms: the public cannot tell who declared a conflict with whom.
    assert member.inspector.code not in text
    pseudo = {code: p for p, code in second_draw.inspector_map.items()}
    pairs = text.splitlines()
    # Every member of the first draw's teams is recused from the object they inspected (rotation).
    assert f"{pseudo[member.inspector.code]},{member.selection.object.code}" in pairs
    assert len(pairs) == TeamMember.objects.filter(selection__draw=draw).count()


def test_freezing_is_refused_while_an_overlapping_task_keeps_its_list_secret(alice):
    first = published_scheme(alice, publish_list_at="window_end")
    draw = services.draw_freeze(actor=alice, scheme=first, sources=SOURCES, announced=ANNOUNCED)
    services.draw_perform(actor=alice, draw=draw, witnesses=WITNESSES, reveals=REVEALS, thrown_by=THROWN_BY)
    second = published_scheme(alice, entities=0, inspectors=0, items=[first.items.first().item])
    with pytest.raises(DrawRefused, match="名单尚未公示"):
        services.draw_freeze(actor=alice, scheme=second, sources=SOURCES, announced=ANNOUNCED)


def test_a_ceremony_that_dies_before_its_commit_leaves_no_certificate_on_disk(
    alice, monkeypatch, django_capture_on_commit_callbacks
):
    # Issue 11 (13): result.json, which reveals the server secret, stayed on disk after SIGKILL mid-ceremony.
    scheme = published_scheme(alice)
    draw = services.draw_freeze(actor=alice, scheme=scheme, sources=SOURCES, announced=ANNOUNCED)
    directory = draw_dir(draw)

    def killed(*args, **kwargs):
        raise RuntimeError("进程在提交前终止")

    monkeypatch.setattr(services, "_store_results", killed)
    with pytest.raises(RuntimeError):
        services.draw_perform(
            actor=alice, draw=draw, witnesses=WITNESSES, reveals=REVEALS, thrown_by=THROWN_BY
        )
    draw.refresh_from_db()
    assert draw.status == DrawStatus.FROZEN
    assert not (directory / "result.json").exists()
    assert draw.secret not in "".join(
        p.read_text() for p in directory.rglob("*") if p.is_file() and p.name != services.PENDING_CERTIFICATE
    )
    assert not (directory / "public" / engine.PUBLIC_RESULT).exists()
    # A SIGKILL leaves the pending file behind; the next attempt removes it before anything else.
    assert (directory / services.PENDING_CERTIFICATE).exists()
    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        draw = services.draw_perform(
            actor=alice, draw=draw, witnesses=WITNESSES, reveals=REVEALS, thrown_by=THROWN_BY
        )
    # After the commit the certificate is renamed into place; nothing pending is left.
    assert draw.status == DrawStatus.DRAWN
    assert (directory / "result.json").read_text(encoding="utf-8") == draw.certificate_json
    assert not (directory / services.PENDING_CERTIFICATE).exists()
    assert not (directory / "public" / services.PENDING_CERTIFICATE).exists()
    assert engine.verify(draw_dir(draw)).ok
    assert engine.verify_full(directory, directory / "public").ok
