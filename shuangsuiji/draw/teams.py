"""Inspector teams (spec §5) and the replacement of an unavailable inspector (spec §8).

Choosing for a slot means: among the department's inspectors who may serve (not on the team, not
recused), take the lowest load, then the lowest H(seed ",assign," o "," i), then the lowest ID. Only the
inspectors at the lowest eligible load level can win, so the pool keeps inspectors grouped by load and hashes
just that level (about half a department per slot on average) instead of the whole department.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from .errors import TeamImpossibleError
from .hashing import DIGEST_SIZE, key_list, smallest_key


def department_cap(slots: int, objects: int, inspectors: int) -> int:
    """cap_d = ceil(m_d × K / I_d): the fair share, above which an inspector is used only if unavoidable."""
    if inspectors == 0:
        return 0
    return -((-slots * objects) // inspectors)


@dataclass
class Pool:
    """One department's inspectors, grouped by their current load."""

    cap: int
    levels: dict[int, set[bytes]] = field(default_factory=dict)
    loads: dict[bytes, int] = field(default_factory=dict)

    @classmethod
    def of(cls, inspectors: Iterable[bytes], cap: int, loads: Mapping[bytes, int] | None = None) -> Pool:
        pool = cls(cap)
        for i in inspectors:
            load = loads.get(i, 0) if loads else 0
            pool.loads[i] = load
            pool.levels.setdefault(load, set()).add(i)
        return pool

    def fill(
        self, hash_name: str, prefix: bytes, blocked: set[bytes], slots: int
    ) -> list[tuple[bytes, bool]]:
        """Fill `slots` slots of one object's team by the §5 rule: (inspector, cap relaxed) in order filled.

        Returns fewer than `slots` when nobody else may serve. `prefix` is ASCII(seed + ",assign," + o + ",").
        Filling all of a department's slots at once saves work: the picks of one object come from the lowest
        eligible load level in key order until that level is used up (only the picked inspectors' loads
        change, and they are on the team now), so one pass over the level serves several slots.
        """
        chosen: list[tuple[bytes, bool]] = []
        blocked = set(blocked)
        while len(chosen) < slots:
            for level in sorted(self.levels):
                candidates = self.levels[level] - blocked if blocked else self.levels[level]
                if candidates:
                    break
            else:
                return chosen
            need = slots - len(chosen)
            if need == 1:
                keys = [smallest_key(hash_name, prefix, candidates)]
            else:
                keys = heapq.nsmallest(need, key_list(hash_name, prefix, candidates))
            for key in keys:
                inspector = key[DIGEST_SIZE:]
                chosen.append((inspector, level >= self.cap))
                blocked.add(inspector)
                self.add_load(inspector)
        return chosen

    def add_load(self, inspector: bytes, delta: int = 1) -> None:
        old = self.loads[inspector]
        level = self.levels[old]
        level.discard(inspector)
        if not level:
            del self.levels[old]
        self.loads[inspector] = old + delta
        self.levels.setdefault(old + delta, set()).add(inspector)


def assign_prefix(seed: str, object_id: str) -> bytes:
    return f"{seed},assign,{object_id},".encode("ascii")


def assign_teams(
    *,
    hash_name: str,
    seed: str,
    objects: Sequence[str],
    inspectors: Iterable[tuple[str, str]],
    recusals: Iterable[tuple[str, str]],
    teams: Mapping[str, int],
) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    """(teams, relaxations) for the selected `objects`, given in processing order (P, object_id).

    Raises TeamImpossibleError naming the object and department when a slot cannot be filled at all.
    """
    by_dept: dict[str, list[bytes]] = {d: [] for d in teams}
    for dept, inspector_id in inspectors:
        if dept in by_dept:
            by_dept[dept].append(inspector_id.encode("ascii"))
    pools = {d: Pool.of(by_dept[d], department_cap(teams[d], len(objects), len(by_dept[d]))) for d in teams}
    wanted = set(objects)
    recused: dict[str, set[bytes]] = {}
    for inspector_id, obj in recusals:
        if obj in wanted:
            recused.setdefault(obj, set()).add(inspector_id.encode("ascii"))
    order = sorted(teams)  # departments in ascending bytewise order of their code
    out: list[dict[str, object]] = []
    relaxations: list[dict[str, object]] = []
    for obj in objects:
        prefix = assign_prefix(seed, obj)
        blocked_base = recused.get(obj, set())
        members: list[list[str]] = []
        for dept in order:
            picks = pools[dept].fill(hash_name, prefix, blocked_base, teams[dept])
            for slot, (inspector, relaxed) in enumerate(picks, start=1):
                if relaxed:
                    relaxations.append({"object": obj, "department": dept, "slot": slot, "rule": "cap"})
                members.append([dept, inspector.decode("ascii")])
            if len(picks) < teams[dept]:
                raise TeamImpossibleError(obj, dept, len(picks) + 1)
        out.append({"object_id": obj, "members": members})
    return out, relaxations


def loads_from_teams(teams: Iterable[Mapping[str, object]]) -> dict[str, int]:
    """Each inspector's load in a certificate's teams (the starting point for §8 replacements)."""
    loads: dict[str, int] = {}
    for team in teams:
        for member in team["members"]:  # type: ignore[attr-defined]
            loads[member[1]] = loads.get(member[1], 0) + 1
    return loads


def choose_replacement(
    *,
    hash_name: str,
    seed: str,
    object_id: str,
    department: str,
    inspectors: Iterable[str],
    team: Iterable[str],
    unavailable: Iterable[str],
    recused: Iterable[str],
    loads: Mapping[str, int],
    cap: int,
    slot: int = 1,
) -> tuple[str, bool]:
    """Spec §8: the inspector who takes over a slot of `object_id`'s team in `department`.

    `inspectors` are the department's inspectors of the draw, `team` the members who stay, `unavailable`
    those who cannot serve (the one being replaced among them), `loads` the loads as they are now (see
    `loads_from_teams`) and `cap` the department's cap from the draw. Returns (inspector_id, cap_relaxed).
    """
    pool = Pool.of(
        [i.encode("ascii") for i in inspectors], cap, {i.encode("ascii"): n for i, n in loads.items()}
    )
    blocked = {i.encode("ascii") for i in (*team, *unavailable, *recused)}
    picks = pool.fill(hash_name, assign_prefix(seed, object_id), blocked, 1)
    if not picks:
        raise TeamImpossibleError(object_id, department, slot)
    return picks[0][0].decode("ascii"), picks[0][1]
