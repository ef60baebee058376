import uuid


class FreshKey:
    """Renders as a new key each time, so every form on a page gets its own (two forms must not share one)."""

    def __str__(self) -> str:
        return uuid.uuid4().hex


def idempotency_key(request):
    return {"idempotency_key": FreshKey()}
