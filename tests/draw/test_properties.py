"""Properties that must hold for every input (hypothesis), not just for the examples we thought of."""

import json
import random
import tempfile
from fractions import Fraction
from pathlib import Path

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from shuangsuiji.draw import TeamImpossibleError, run_draw, verify, write_certificate
from shuangsuiji.draw.select import StratumRule, parse_ratio, rank
from shuangsuiji.draw.teams import assign_teams

from .helpers import EXAMPLE, REVEALS, copy_example, make_draw

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])

ids = st.text(alphabet="0123456789ABCDEFGHJKLMNPQRTUWXY", min_size=1, max_size=20)
seeds = st.binary(min_size=32, max_size=32).map(bytes.hex)
ratios = st.integers(1, 10**6).map(lambda n: "1" if n == 10**6 else f"0.{n:06d}".rstrip("0"))


def selected(seed, objects, rule):
    ranked = rank("sha256", seed, objects)
    k, r = rule.quota(len(objects))
    return [o for o, _ in ranked[:k]], [o for o, _ in ranked[k : k + r]]


@SETTINGS
@given(st.lists(ids, min_size=1, max_size=60, unique=True), st.randoms(), seeds)
def test_input_order_never_changes_a_selection(objects, rnd, seed):
    shuffled = list(objects)
    rnd.shuffle(shuffled)
    rule = StratumRule(None, 5, 3)
    assert selected(seed, objects, rule) == selected(seed, shuffled, rule)


@SETTINGS
@given(st.lists(ids, min_size=2, max_size=60, unique=True), st.integers(0, 10), st.data(), seeds)
def test_removing_an_unselected_candidate_never_changes_who_else_is_selected(objects, count, data, seed):
    rule = StratumRule(None, count, 0)
    chosen, _ = selected(seed, objects, rule)
    others = [o for o in objects if o not in chosen]
    assume(others)
    gone = data.draw(st.sampled_from(others))
    assert selected(seed, [o for o in objects if o != gone], rule)[0] == chosen


@SETTINGS
@given(st.lists(ids, min_size=1, max_size=80, unique=True), ratios, st.data(), seeds)
def test_removing_an_unselected_candidate_keeps_a_ratio_selection_while_k_is_unchanged(
    objects, ratio, data, seed
):
    rule = StratumRule(parse_ratio(ratio), None, 0)
    chosen, _ = selected(seed, objects, rule)
    others = [o for o in objects if o not in chosen]
    assume(others)
    gone = data.draw(st.sampled_from(others))
    smaller = [o for o in objects if o != gone]
    assume(rule.quota(len(smaller))[0] == len(chosen))
    assert selected(seed, smaller, rule)[0] == chosen


@SETTINGS
@given(st.integers(0, 10**7), ratios, st.integers(0, 50))
def test_quotas_are_exact(n, ratio, reserve):
    k, r = StratumRule(parse_ratio(ratio), None, reserve).quota(n)
    exact = Fraction(n) * Fraction(ratio)
    assert k == min(n, -(-exact.numerator // exact.denominator))
    assert k - 1 < exact <= k or n == 0
    assert r == min(reserve, n - k)


@st.composite
def staffing(draw):
    departments = draw(
        st.dictionaries(st.sampled_from(["SCJG", "WJW", "ZJJ", "A-1"]), st.integers(1, 6), min_size=1)
    )
    slots = {d: draw(st.integers(1, 3)) for d in departments}
    inspectors = [(d, f"I{d.replace('-', '')}{n}") for d, count in departments.items() for n in range(count)]
    objects = draw(st.lists(ids, min_size=1, max_size=25, unique=True))
    recusals = draw(
        st.lists(
            st.tuples(st.sampled_from([i for _, i in inspectors]), st.sampled_from(objects)),
            max_size=30,
            unique=True,
        )
    )
    return slots, inspectors, objects, recusals


@SETTINGS
@given(staffing(), seeds)
def test_no_team_holds_a_recused_pair_or_a_duplicate_and_every_team_has_its_slots(staff, seed):
    slots, inspectors, objects, recusals = staff
    try:
        teams, relaxations = assign_teams(
            hash_name="sha256",
            seed=seed,
            objects=objects,
            inspectors=inspectors,
            recusals=recusals,
            teams=slots,
        )
    except TeamImpossibleError as e:
        eligible = [i for d, i in inspectors if d == e.department and (i, e.object_id) not in recusals]
        assert len(eligible) < slots[e.department]
        return
    forbidden = set(recusals)
    dept_of = {i: d for d, i in inspectors}
    assert [t["object_id"] for t in teams] == objects
    for team in teams:
        members = [i for _, i in team["members"]]
        assert len(members) == len(set(members))
        assert not any((i, team["object_id"]) in forbidden for i in members)
        assert all(dept_of[i] == d for d, i in team["members"])
        for d, m in slots.items():
            assert sum(1 for dd, _ in team["members"] if dd == d) == m
        assert [d for d, _ in team["members"]] == sorted(d for d, _ in team["members"])
    for relaxation in relaxations:
        assert relaxation["rule"] == "cap"


@settings(max_examples=25, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(["A", "B", "C"]), ids), min_size=1, max_size=40, unique_by=lambda r: r[1]
    ),
    st.randoms(),
)
def test_input_order_never_changes_a_whole_draw(rows, rnd):
    shuffled = list(rows)
    rnd.shuffle(shuffled)
    strata = {
        "A": {"ratio": "0.3", "reserve": 2},
        "B": {"count": 2, "reserve": 1},
        "C": {"ratio": "1", "reserve": 0},
    }
    staff = [("SCJG", f"I{n}") for n in range(4)]
    with tempfile.TemporaryDirectory() as tmp:
        results = []
        for i, order in enumerate((rows, shuffled)):
            folder = Path(tmp) / str(i)
            make_draw(
                folder,
                candidates=order,
                strata=strata,
                inspectors=staff[:: 1 if i else -1],
                teams={"SCJG": 2},
            )
            results.append(run_draw(folder, REVEALS))
        assert results[0] == results[1]


FILES = ["candidates.csv", "excluded.csv", "inspectors.csv", "recusals.csv", "params.json"]
EXAMPLE_SIZES = {name: (EXAMPLE / name).stat().st_size for name in FILES}


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(FILES), st.data(), st.integers(1, 255))
def test_every_tampered_file_byte_is_detected(name, data, delta):
    position = data.draw(st.integers(0, EXAMPLE_SIZES[name] - 1))
    with tempfile.TemporaryDirectory() as tmp:
        folder = copy_example(Path(tmp))
        raw = bytearray((folder / name).read_bytes())
        raw[position] = (raw[position] + delta) % 256
        (folder / name).write_bytes(bytes(raw))
        report = verify(folder)
        assert not report.ok
        assert report.path in (f"files.{name}", "commitment", "params.json")


def leaves(value, path=()):
    if isinstance(value, dict):
        for k, v in value.items():
            yield from leaves(v, (*path, k))
    elif isinstance(value, list) and value:
        for i, v in enumerate(value):
            yield from leaves(v, (*path, i))
    else:
        yield path


CERTIFICATE = json.loads((EXAMPLE / "result.json").read_text("utf-8"))
LEAVES = list(leaves(CERTIFICATE))


def changed(value, rnd):
    if isinstance(value, bool) or value is None:
        return 1
    if isinstance(value, int):
        return value + rnd.choice([-1, 1])
    if isinstance(value, str) and value:
        i = rnd.randrange(len(value))
        return value[:i] + ("0" if value[i] != "0" else "1") + value[i + 1 :]
    if isinstance(value, list):
        return [0]
    return "x"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(LEAVES), st.randoms(), st.booleans())
def test_every_tampered_certificate_field_is_detected(path, rnd, remove):
    certificate = json.loads(json.dumps(CERTIFICATE))
    parent = certificate
    for step in path[:-1]:
        parent = parent[step]
    if remove and isinstance(parent, dict):
        del parent[path[-1]]
    else:
        parent[path[-1]] = changed(parent[path[-1]], rnd)
    with tempfile.TemporaryDirectory() as tmp:
        folder = copy_example(Path(tmp))
        write_certificate(certificate, folder / "result.json")
        assert not verify(folder).ok


@settings(max_examples=10, deadline=None)
@given(
    st.lists(st.tuples(st.just("A"), ids), min_size=5, max_size=30, unique_by=lambda r: r[1]),
    st.sampled_from(["sha256", "sm3"]),
)
def test_a_fresh_draw_always_verifies(rows, hash_name):
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        make_draw(folder, candidates=rows, strata={"A": {"ratio": "0.2", "reserve": 2}}, hash_name=hash_name)
        write_certificate(run_draw(folder, REVEALS), folder / "result.json")
        assert verify(folder).ok


def test_the_shuffles_use_real_randomness():
    # Guard against a hypothesis strategy that never shuffles: the order-independence tests would pass vacuously.
    assert random.Random(1).sample(range(10), 10) != list(range(10))
