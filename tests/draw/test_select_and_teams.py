"""Selection (spec §4), teams (spec §5) and what happens after the draw (spec §8)."""

import hashlib
import random
from fractions import Fraction

import pytest

from shuangsuiji.draw import (
    ReservesExhaustedError,
    TeamImpossibleError,
    choose_replacement,
    department_cap,
    loads_from_teams,
    next_reserve,
    run_draw,
)
from shuangsuiji.draw.select import Smallest, StratumRule, parse_ratio, rank
from shuangsuiji.draw.teams import assign_teams

from .helpers import EXAMPLE, REVEALS, make_draw, object_id

SEED = hashlib.sha256(b"test").hexdigest()


@pytest.mark.parametrize(
    ("n", "ratio", "k"),
    [
        (12, "0.25", 3),
        (6, "0.6", 4),
        (3, "0.333333", 1),
        (1_000_000, "0.000001", 1),
        (1_000_001, "0.000001", 2),
        (0, "0.5", 0),
        (7, "1", 7),
    ],
)
def test_it_computes_quotas_exactly_without_floats(n, ratio, k):
    assert StratumRule(parse_ratio(ratio), None, 0).quota(n) == (k, 0)


def test_it_caps_counts_and_reserves_at_the_stratum_size():
    assert StratumRule(None, 10, 5).quota(12) == (10, 2)
    assert StratumRule(None, 10, 5).quota(4) == (4, 0)
    assert StratumRule(Fraction(1, 2), None, 3).quota(5) == (3, 2)


def test_its_streaming_selection_equals_a_full_sort():
    ids = [object_id(n).encode() for n in range(20_000)]
    reference = rank("sha256", SEED, [i.decode() for i in ids])
    for limit in (0, 1, 7, 4096, 5000, 20_000, 30_000):
        selector = Smallest(limit)
        selector.feed("sha256", (SEED + ",").encode(), ids)
        assert selector.result() == reference[:limit]


def test_it_orders_the_example_by_priority_then_id():
    certificate = run_draw(EXAMPLE, REVEALS)
    for stratum in certificate["strata"].values():
        chosen = stratum["selected"] + stratum["reserves"]
        assert chosen == sorted(chosen, key=lambda pair: (bytes.fromhex(pair[1]), pair[0]))


def inspectors(departments: dict[str, int]) -> list[tuple[str, str]]:
    return [(d, f"I{d}{n:03d}") for d, count in departments.items() for n in range(count)]


def test_it_names_the_object_and_department_when_a_team_is_impossible():
    objects = [object_id(n) for n in range(3)]
    with pytest.raises(TeamImpossibleError) as e:
        assign_teams(
            hash_name="sha256",
            seed=SEED,
            objects=objects,
            inspectors=inspectors({"SCJG": 3, "WJW": 1}),
            recusals=[("IWJW000", objects[1])],
            teams={"SCJG": 2, "WJW": 1},
        )
    assert (e.value.object_id, e.value.department, e.value.slot) == (objects[1], "WJW", 1)
    assert objects[1] in e.value.message and "WJW" in e.value.message


def test_it_fails_when_a_department_has_fewer_inspectors_than_slots():
    with pytest.raises(TeamImpossibleError) as e:
        assign_teams(
            hash_name="sha256",
            seed=SEED,
            objects=[object_id(1)],
            inspectors=inspectors({"SCJG": 1}),
            recusals=[],
            teams={"SCJG": 2},
        )
    assert e.value.slot == 2


def test_it_records_a_relaxation_when_only_an_inspector_at_the_cap_may_serve():
    objects = [object_id(n) for n in range(4)]
    # Two inspectors, four objects, one slot: cap 2. Recusing I...000 from the last two objects forces
    # I...001 to take them, and the cap is relaxed for the second time it is needed, if not before.
    teams, relaxations = assign_teams(
        hash_name="sha256",
        seed=SEED,
        objects=objects,
        inspectors=inspectors({"SCJG": 2}),
        recusals=[("ISCJG000", objects[2]), ("ISCJG000", objects[3]), ("ISCJG000", objects[1])],
        teams={"SCJG": 1},
    )
    loads = loads_from_teams(teams)
    assert loads["ISCJG001"] == 3
    assert relaxations and all(
        r["rule"] == "cap" and r["department"] == "SCJG" and r["slot"] == 1 for r in relaxations
    )
    assert department_cap(1, 4, 2) == 2


def test_it_spreads_load_evenly_without_recusals():
    objects = [object_id(n) for n in range(100)]
    teams, relaxations = assign_teams(
        hash_name="sha256",
        seed=SEED,
        objects=objects,
        inspectors=inspectors({"A": 7, "B": 3}),
        recusals=[],
        teams={"A": 2, "B": 1},
    )
    loads = loads_from_teams(teams)
    assert relaxations == []
    a = [v for k, v in loads.items() if k.startswith("IA")]
    b = [v for k, v in loads.items() if k.startswith("IB")]
    assert max(a) - min(a) <= 1 and sum(a) == 200
    assert max(b) - min(b) <= 1 and sum(b) == 100


def test_it_replaces_an_unavailable_inspector_by_the_rule_of_section_5():
    certificate = run_draw(EXAMPLE, REVEALS)
    team = certificate["teams"][0]
    assert team["members"] == [["SCJG", "I0012"], ["SCJG", "I0011"], ["WJW", "I0021"]]
    loads = loads_from_teams(certificate["teams"])
    chosen, relaxed = choose_replacement(
        hash_name="sha256",
        seed=certificate["seed"],
        object_id=team["object_id"],
        department="SCJG",
        inspectors=["I0011", "I0012", "I0013", "I0014"],
        team=["I0011"],
        unavailable=["I0012"],
        recused=[],
        loads=loads,
        cap=department_cap(2, 7, 4),
    )
    assert chosen in {"I0013", "I0014"}
    # The rule is §5's: lowest load first. I0013 has 3 objects, I0014 has 4.
    assert (loads["I0013"], loads["I0014"]) == (3, 4)
    assert chosen == "I0013" and not relaxed


def test_it_fails_to_replace_when_nobody_is_left():
    with pytest.raises(TeamImpossibleError):
        choose_replacement(
            hash_name="sha256",
            seed=SEED,
            object_id="X1",
            department="WJW",
            inspectors=["I1", "I2"],
            team=[],
            unavailable=["I1"],
            recused=["I2"],
            loads={},
            cap=1,
        )


def test_it_replaces_an_object_by_the_first_unused_reserve():
    certificate = run_draw(EXAMPLE, REVEALS)
    assert next_reserve(certificate, "A") == "92410481555979RE2H"
    assert next_reserve(certificate, "A", used={"92410481555979RE2H"}) == "92410481527601QHJY"
    with pytest.raises(ReservesExhaustedError) as e:
        next_reserve(certificate, "D", used={"91410481170342P7CF"})
    assert "D" in e.value.message and "新的抽取" in e.value.message


def test_it_draws_teams_from_a_shuffled_input_identically(tmp_path):
    rows = [("A", object_id(n)) for n in range(30)]
    staff = inspectors({"SCJG": 5, "WJW": 3})
    recusals = [("ISCJG000", object_id(3)), ("IWJW001", object_id(7))]
    make_draw(
        tmp_path / "a",
        candidates=rows,
        strata={"A": {"ratio": "0.5", "reserve": 2}},
        inspectors=staff,
        recusals=recusals,
        teams={"SCJG": 2, "WJW": 1},
    )
    random.Random(1).shuffle(rows)
    random.Random(2).shuffle(staff)
    make_draw(
        tmp_path / "b",
        candidates=rows,
        strata={"A": {"ratio": "0.5", "reserve": 2}},
        inspectors=staff,
        recusals=recusals[::-1],
        teams={"WJW": 1, "SCJG": 2},
    )
    assert run_draw(tmp_path / "a", REVEALS) == run_draw(tmp_path / "b", REVEALS)
