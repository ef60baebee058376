"""A double submission creates one record: unsafe requests that carry an idempotency key run at most once per user.

API clients send the header `Idempotency-Key`; page forms send the hidden input `idempotency_key` (each rendered
form gets a fresh one from `{{ idempotency_key }}`, see `context.py`). The first request with a key runs inside one
transaction that also stores the key with the response, so a crash leaves neither the record nor the key. A repeat —
later, or concurrent (on PostgreSQL its INSERT of the same key waits for the first transaction, then conflicts) —
gets the stored response back without running the view again: the status and JSON body for the API, a redirect to
the stored location for a page. Only successes are stored: a refused or invalid request can be corrected and sent
again with the same key.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.http import HttpResponse, HttpResponseRedirect, JsonResponse
from django.http.multipartparser import MultiPartParserError

from .models import KEY_MAX_LENGTH, IdempotencyKey

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
HEADER = "Idempotency-Key"
FORM_FIELD = "idempotency_key"
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class _RollBack(Exception):
    def __init__(self, response):
        self.response = response


def key_of(request) -> str | None:
    key = request.headers.get(HEADER)
    if key is None and request.content_type in FORM_TYPES:
        try:
            key = request.POST.get(FORM_FIELD)
        except MultiPartParserError:
            return None  # the view reports the malformed body as it would without a key
    key = (key or "").strip()
    return key or None


def acting_user(request):
    """The session user, or the user of an API token (ninja authenticates the token only later, in the view)."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return user
    auth = request.headers.get("Authorization", "")
    if auth.startswith("Token "):
        from shuangsuiji.accounts.models import ApiToken

        token = (
            ApiToken.objects.select_related("user")
            .filter(key_hash=ApiToken.hash_key(auth.removeprefix("Token ").strip()), revoked=False)
            .first()
        )
        if token is not None and token.user.is_active:
            return token.user
    return None


def replay(stored: IdempotencyKey, request) -> HttpResponse:
    if stored.method != request.method or stored.path != request.path:
        return _refusal(
            request, f"幂等键已用于另一请求（{stored.method} {stored.path}），请换一个新的键", 422
        )
    if stored.location:
        response = HttpResponseRedirect(stored.location, status=stored.response_status)
    else:
        response = HttpResponse(
            stored.response_body,
            status=stored.response_status,
            content_type=stored.response_content_type or "application/json",
        )
    response["Idempotent-Replayed"] = "true"
    return response


def _refusal(request, detail: str, status: int) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"detail": detail, "errors": [{"field": HEADER, "reason": detail}]},
            status=status,
            json_dumps_params={"ensure_ascii": False},
        )
    return HttpResponse(detail, status=status, content_type="text/plain; charset=utf-8")


def _storable(response) -> dict | None:
    """What to keep of a successful response, or None when it is not a success worth replaying."""
    if getattr(response, "streaming", False):
        return None
    if 300 <= response.status_code < 400 and response.has_header("Location"):
        return {"location": response["Location"]}
    content_type = response.get("Content-Type", "")
    if 200 <= response.status_code < 300 and content_type.startswith("application/json"):
        return {"response_body": response.content.decode("utf-8"), "response_content_type": content_type}
    return None


class IdempotencyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in UNSAFE_METHODS:
            return self.get_response(request)
        key = key_of(request)
        if key is None:
            return self.get_response(request)
        user = acting_user(request)
        if user is None:
            # Not signed in (the login form): nothing of the user's can be created twice.
            return self.get_response(request)
        if len(key) > KEY_MAX_LENGTH:
            return _refusal(request, f"幂等键不能超过 {KEY_MAX_LENGTH} 个字符", 400)
        stored = IdempotencyKey.objects.live().filter(user=user, key=key).first()
        if stored is not None:
            return replay(stored, request)
        try:
            return self._first(request, user, key)
        except IntegrityError:
            # A concurrent request with the same key committed first: answer as it did.
            stored = IdempotencyKey.objects.filter(user=user, key=key).first()
            if stored is None:
                raise
            return replay(stored, request)
        except _RollBack as rollback:
            return rollback.response

    def _first(self, request, user, key):
        with transaction.atomic():
            # An expired key may be reused: forget its old response in the same transaction.
            IdempotencyKey.objects.expired().filter(user=user, key=key).delete()
            row = IdempotencyKey.objects.create(user=user, key=key, method=request.method, path=request.path)
            response = self.get_response(request)
            if response.status_code >= 500:
                # The view failed half-way: undo whatever it wrote, together with the key.
                raise _RollBack(response)
            kept = _storable(response)
            if kept is None:
                # Refused, invalid or re-rendered: keep what the view wrote (e.g. an audit event of the refusal) but
                # not the key, so the corrected request can use it.
                row.delete()
                return response
            for field, value in kept.items():
                setattr(row, field, value)
            row.response_status = response.status_code
            row.save()
            return response
