"""DRAW-v1: publicly verifiable draws of inspection objects and inspector teams (docs/draw-v1.md).

Pure Python with no Django import (shuangsuiji/draw/ruff.toml bans it), so anyone can verify a draw with
the wheel the portal serves at /portal/verifier/ (or `pip install .`) and the `shuangsuiji` command, without
settings or a database.

Public API — everything takes plain values and raises `DrawError` subclasses (errors.py) whose messages, in
Chinese, say what to fix:

Before the draw (freeze and publish)
    make_secret() -> str
        A server secret (64 hex digits from the OS CSPRNG). Store it privately until the ceremony.
    secret_commitment(secret: str, hash_name: str = "sha256") -> str
        Its commitment, for the {"name": ..., "kind": "secret", "commitment": ...} source.
    write_draw_files(directory, *, candidates, excluded=(), inspectors=(), recusals=(), strata, teams=None,
                     sources, draw_id, hash_name="sha256", extra=None) -> str
        Writes candidates.csv, excluded.csv, inspectors.csv, recusals.csv (canonical: sorted, LF, UTF-8)
        and params.json (one-space indented JSON, keys in spec order, then `extra`), and returns the
        commitment = hex(H(bytes of params.json)). Rows are 2-tuples of str in any order.
    commitment_of(directory) -> str
        Checks the four files against params.json and returns the commitment.

At the ceremony
    run_draw(directory, reveals: Mapping[str, str]) -> dict
        The certificate (result.json content) from the revealed values by source name, e.g.
        {"server": secret, "lottery": "30,3,11,15,22,27", "witness": "314159265358"}.
    write_certificate(certificate, path) -> Path
        Writes it in the layout of the worked example.

Checking
    verify(directory, result_path=None) -> VerifyReport
        Recomputes everything; `report.ok`, else `report.path` (e.g. "strata.A.selected[2]",
        "files.candidates.csv", "commitment") and `report.message`.

After the draw (spec §8)
    next_reserve(certificate, stratum, used=()) -> str
        The replacement for an object that cannot be inspected.
    choose_replacement(*, hash_name, seed, object_id, department, inspectors, team, unavailable, recused,
                       loads, cap, slot=1) -> tuple[str, bool]
        The replacement for an unavailable inspector, and whether it exceeds the cap; `loads_from_teams`
        and `department_cap` give its inputs from a certificate.

Sealed strata, DRAW-v1.1 (docs/draw-v1.1-sealed.md)
    random_stratum_codes(n), project_files(full_dir, public_dir, sealed) -> str (public commitment),
    project_certificate(certificate, public_params_bytes) -> dict, verify_public(public_dir), verify_full(full_dir,
    public_dir), firm_proof(...), verify_proof(proof, public_dir); reports are `SealedReport`.

RFC 3797 (spec §10)
    rfc3797_key(sources) -> str, rfc3797_select(items, key, count) -> list[str]
"""

from .ceremony import CEREMONY, CeremonyError, ceremony_bytes, ceremony_record, check_ceremony, fingerprint
from .certificate import (
    VerifyReport,
    certificate_bytes,
    commitment_of,
    first_difference,
    recompute_priority,
    run_draw,
    verify,
    write_certificate,
    write_draw_files,
)
from .errors import (
    BlankLineError,
    ByteOrderMarkError,
    CertificateFormatError,
    DrawError,
    DuplicateIdError,
    FileFormatError,
    FileHashMismatchError,
    FileMissingError,
    InvalidIdError,
    LineEndingError,
    MalformedLineError,
    ParamsError,
    RatioError,
    ReservesExhaustedError,
    SecretMismatchError,
    SourceMissingError,
    SourceValueError,
    StratumMissingError,
    TeamImpossibleError,
    UnknownHashError,
    UnsortedFileError,
)
from .rfc3797 import rfc3797_key, rfc3797_select
from .sealed import (
    PUBLIC_CANDIDATES,
    PUBLIC_FILES,
    PUBLIC_PARAMS,
    PUBLIC_RESULT,
    SEALED_SOURCE,
    SPEC_SEALED,
    SealedReport,
    firm_proof,
    project_certificate,
    project_files,
    random_stratum_codes,
    sealed_value,
    verify_full,
    verify_proof,
    verify_public,
    write_sealed_files,
)
from .seed import make_secret, secret_commitment
from .substitution import next_reserve
from .teams import choose_replacement, department_cap, loads_from_teams

__all__ = [
    "CEREMONY",
    "CeremonyError",
    "ceremony_bytes",
    "ceremony_record",
    "check_ceremony",
    "fingerprint",
    "PUBLIC_CANDIDATES",
    "PUBLIC_FILES",
    "PUBLIC_PARAMS",
    "PUBLIC_RESULT",
    "SEALED_SOURCE",
    "SPEC_SEALED",
    "SealedReport",
    "firm_proof",
    "project_certificate",
    "project_files",
    "random_stratum_codes",
    "sealed_value",
    "verify_full",
    "verify_proof",
    "verify_public",
    "write_sealed_files",
    "BlankLineError",
    "ByteOrderMarkError",
    "CertificateFormatError",
    "DrawError",
    "DuplicateIdError",
    "FileFormatError",
    "FileHashMismatchError",
    "FileMissingError",
    "InvalidIdError",
    "LineEndingError",
    "MalformedLineError",
    "ParamsError",
    "RatioError",
    "ReservesExhaustedError",
    "SecretMismatchError",
    "SourceMissingError",
    "SourceValueError",
    "StratumMissingError",
    "TeamImpossibleError",
    "UnknownHashError",
    "UnsortedFileError",
    "VerifyReport",
    "certificate_bytes",
    "choose_replacement",
    "commitment_of",
    "department_cap",
    "first_difference",
    "loads_from_teams",
    "make_secret",
    "next_reserve",
    "recompute_priority",
    "rfc3797_key",
    "rfc3797_select",
    "run_draw",
    "secret_commitment",
    "verify",
    "write_certificate",
    "write_draw_files",
]
