"""Visit codes (核验码): the short key a drawn firm uses to check that a visit is a registered random check.

Ten characters from 31 that cannot be mistaken for one another when read aloud or typed from paper: the digits 2–9
and the letters without I, L and O (no 0/O, no 1/I/L). 31¹⁰ ≈ 2⁴⁹·⁵, drawn with `secrets`, so a code cannot be
guessed; it is shown in two groups of five (``ABCDE-FGHJK``) and read back whatever the firm types around it:
spaces, hyphens, lower case, full-width characters from a Chinese input method.
"""

import re
import secrets

from ._text import normalize

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
LENGTH = 10
# Anything longer than this is not a mistyped code: refused before any normalisation work.
MAX_TYPED = 40
_CODE = re.compile(f"[{ALPHABET}]{{{LENGTH}}}")
_SEPARATORS = re.compile(r"[\s\-‐‑‒–—―－_.·]")


def new_visit_code() -> str:
    """A fresh random code (about 49.5 bits from the operating system's CSPRNG)."""
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def read_visit_code(typed: str) -> str | None:
    """The code in `typed`, in its stored form, or None when `typed` cannot be a code."""
    if not typed or len(typed) > MAX_TYPED:
        return None
    s = _SEPARATORS.sub("", normalize(typed))
    return s if _CODE.fullmatch(s) else None


def format_visit_code(code: str) -> str:
    """How people see a code: two groups of five."""
    return f"{code[:5]}-{code[5:]}" if len(code) == LENGTH else code
