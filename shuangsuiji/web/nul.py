"""Refuse a request carrying a NUL character in any query or form value (issue 11, item 8).

PostgreSQL text cannot hold NUL, so such a value used to end in a 500 there (and be stored on SQLite). One check,
before any view runs: a page gets a Chinese 400, an API form upload the API's own 422; nothing is written. JSON
bodies and API query strings are left to the API's schemas, which already refuse NUL field by field.
"""

from __future__ import annotations

from django.http import HttpResponse, JsonResponse

MESSAGE = "不能包含空字符（\\x00）"
FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")


def _field_with_nul(values) -> str | None:
    for key, vs in values.lists():
        if "\x00" in key or any(isinstance(v, str) and "\x00" in v for v in vs):
            return key.replace("\x00", "")[:50]
    return None


class RefuseNulMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        api = request.path.startswith("/api/")
        field = None
        if not api:
            field = "地址" if "\x00" in request.path else _field_with_nul(request.GET)
        if field is None and request.method in ("POST", "PUT", "PATCH"):
            if (request.content_type or "").startswith(FORMS):
                field = _field_with_nul(request.POST)
        if field is None:
            return self.get_response(request)
        if api:
            return JsonResponse(
                {"detail": "请求参数校验未通过", "errors": [{"field": field, "reason": MESSAGE}]},
                status=422,
                json_dumps_params={"ensure_ascii": False},
            )
        return HttpResponse(
            f"{field}：{MESSAGE}，请删除后重试", status=400, content_type="text/plain; charset=utf-8"
        )
