import unicodedata


def normalize(raw: str) -> str:
    """Fold full-width characters (typed with a Chinese IME) to ASCII, strip, uppercase."""
    return unicodedata.normalize("NFKC", raw).strip().upper()
