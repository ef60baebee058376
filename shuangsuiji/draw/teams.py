"""Inspector teams (spec §5) and the replacement of an unavailable inspector (spec §8).

Choosing for a slot means: among the department's inspectors who may serve (not on the team, not
recused), take the lowest load, then the lowest H(seed ",assign," o "," i), then the lowest ID. Only the
inspectors at the lowest eligible load level can win, so the pool keeps inspectors grouped by load and hashes
just that level (about half a department per slot on average) instead of the whole department.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from .errors import TeamImpossibleError
from .hashing import DIGEST_SIZE, keys_with_prefix, smallest_key


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

    def choose(
        self, hash_name: str, prefix: bytes, blocked: set[bytes], cache: dict[bytes, bytes] | None
    ) -> tuple[bytes, bool] | None:
        """The §5 choice, and whether it breaks the cap; None when nobody may serve.

        `prefix` is ASCII(seed + ",assign," + o + ","). `cache`, when given, keeps the keys H(prefix + i) + i
        computed for this object, for a department with several slots, which asks again for the same object;
        a single slot needs no cache, and skipping it saves a dictionary per object.
        """
        for level in sorted(self.levels):
            members = self.levels[level]
            candidates = members - blocked if blocked else members
            if not candidates:
                continue
            if cache is None:
                best = smallest_key(hash_name, prefix, candidates)
            else:
                todo = candidates - cache.keys() if cache else candidates
                if todo:
                    cache.update(keys_with_prefix(hash_name, prefix, todo))
                best = min(map(cache.__getitem__, candidates))
            return best[DIGEST_SIZE:], level >= self.cap
        return None

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
        on_team: set[bytes] = set()
        blocked_base = recused.get(obj, set())
        members: list[list[str]] = []
        for dept in order:
            pool = pools[dept]
            cache: dict[bytes, bytes] | None = {} if teams[dept] > 1 else None
            for slot in range(1, teams[dept] + 1):
                got = pool.choose(hash_name, prefix, on_team | blocked_base, cache)
                if got is None:
                    raise TeamImpossibleError(obj, dept, slot)
                inspector, relaxed = got
                if relaxed:
                    relaxations.append({"object": obj, "department": dept, "slot": slot, "rule": "cap"})
                pool.add_load(inspector)
                on_team.add(inspector)
                members.append([dept, inspector.decode("ascii")])
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
    got = pool.choose(hash_name, assign_prefix(seed, object_id), blocked, None)
    if got is None:
        raise TeamImpossibleError(object_id, department, slot)
    return got[0].decode("ascii"), got[1]
