from django.core.exceptions import PermissionDenied
from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.renderers import JSONRenderer

from shuangsuiji.directory.rows import RowInvalid
from shuangsuiji.draws.services import DrawRefused
from shuangsuiji.idempotency.middleware import HEADER, UNSAFE_METHODS
from shuangsuiji.planning.states import TransitionError

from .auth import session_auth, token_auth
from .bulk import BulkRefused
from .errors import validation_errors
from .ratelimit import RateLimited


class ReadableJSONRenderer(JSONRenderer):
    """UTF-8 JSON with Chinese as characters, not \\u escapes: officials read raw answers (curl, logs) too."""

    json_dumps_params = {"ensure_ascii": False}


IDEMPOTENCY_PARAMETER = {
    "name": HEADER,
    "in": "header",
    "required": False,
    "schema": {"type": "string", "maxLength": 100},
    "description": "幂等键：同一用户用同一个键重复提交只执行一次，24 小时内返回第一次的结果（状态码与内容相同）。",
}


RATE_HEADERS = {
    "RateLimit-Limit": {"description": "本分钟的请求上限（令牌调用）", "schema": {"type": "integer"}},
    "RateLimit-Remaining": {"description": "本分钟还可请求的次数", "schema": {"type": "integer"}},
    "RateLimit-Reset": {"description": "距本分钟结束（额度重置）的秒数", "schema": {"type": "integer"}},
}
TOO_MANY_EXAMPLE = {"detail": "请求过于频繁：该令牌每分钟最多 600 次请求，请 42 秒后再试", "retry_after": 42}
TOO_MANY_RESPONSE = {
    "description": "超过令牌的请求频率上限（每令牌每分钟；批量读取 /api/v1/bulk/ 另有较小的额度）。"
    "Retry-After 给出需等待的秒数。",
    "headers": {
        "Retry-After": {"description": "需等待的秒数", "schema": {"type": "integer"}},
        **RATE_HEADERS,
    },
    "content": {
        "application/json": {
            "schema": {
                "type": "object",
                "properties": {"detail": {"type": "string"}, "retry_after": {"type": "integer"}},
                "required": ["detail", "retry_after"],
            },
            "example": TOO_MANY_EXAMPLE,
        }
    },
}


class PlatformAPI(NinjaAPI):
    def get_openapi_schema(self, **kwargs):
        """Ninja's schema, plus the Idempotency-Key header on every write: the middleware handles it before the view,
        so no operation signature mentions it, yet every client should know it can send one. Every operation a token
        can call also documents the 429 answer and the RateLimit-* headers (ADR 0026)."""
        schema = super().get_openapi_schema(**kwargs)
        for path_item in schema.get("paths", {}).values():
            for method, operation in path_item.items():
                if method.upper() in UNSAFE_METHODS:
                    operation.setdefault("parameters", []).append(dict(IDEMPOTENCY_PARAMETER))
                if not operation.get("security"):
                    continue  # a public operation (no token): not counted
                responses = operation.setdefault("responses", {})
                # ninja keys responses by int status, openapi_extra by whatever the module wrote: accept both.
                if "429" not in responses:
                    responses.setdefault(429, TOO_MANY_RESPONSE)
                ok = responses.get(200) or responses.get("200")
                if ok is not None:
                    ok.setdefault("headers", {}).update(RATE_HEADERS)
        return schema

    def create_response(self, request, data, *, status=None, temporal_response=None):
        # Every answer to a token call carries its budget, errors included (auth.py sets request.api_rate).
        response = super().create_response(request, data, status=status, temporal_response=temporal_response)
        verdict = getattr(request, "api_rate", None)
        if verdict is not None:
            for name, value in verdict.headers().items():
                response[name] = value
        return response


# docs_url=None: the interactive docs page would load Swagger UI from a CDN, which a closed government network
# cannot reach. The OpenAPI document itself is served at /api/v1/openapi.json.
api = PlatformAPI(
    title="双随机平台接口",
    version="1",
    description="“双随机、一公开”联合监管平台 /api/v1。认证：Authorization: Token <令牌>（系统对接）或浏览器会话。"
    "写操作可带请求头 Idempotency-Key（不超过 100 个字符）：同一用户用同一个键重复提交只执行一次，24 小时内返回第一次的结果。",
    auth=[token_auth, session_auth],
    openapi_url="/openapi.json",
    docs_url=None,
    urls_namespace="api",
    renderer=ReadableJSONRenderer(),
)


@api.exception_handler(RateLimited)
def _too_many(request, exc: RateLimited):
    what = "批量读取" if exc.bucket == "bulk" else "请求"
    v = exc.verdict
    response = api.create_response(
        request,
        {
            "detail": f"请求过于频繁：该令牌每分钟最多 {v.limit} 次{what}，请 {v.reset} 秒后再试",
            "retry_after": v.reset,
        },
        status=429,
    )
    response["Retry-After"] = str(v.reset)
    return response


@api.exception_handler(BulkRefused)
def _bulk_refused(request, exc: BulkRefused):
    return api.create_response(
        request, {"detail": exc.reason, "errors": [{"field": exc.field, "reason": exc.reason}]}, status=400
    )


@api.exception_handler(RowInvalid)
def _row_invalid(request, exc: RowInvalid):
    return api.create_response(
        request,
        {"detail": "数据校验未通过", "errors": [{"field": c, "reason": r} for c, r in exc.errors]},
        status=422,
    )


@api.exception_handler(DrawRefused)
def _draw_refused(request, exc: DrawRefused):
    # A DrawRefused is a RowInvalid; ninja takes the handler of the most specific class in the exception's MRO, so a
    # draw step that already happened (or cannot happen now) is a 409, not a 422.
    reason = exc.errors[0][1] if exc.errors else "该步骤不能进行"
    return api.create_response(
        request, {"detail": reason, "errors": [{"field": c, "reason": r} for c, r in exc.errors]}, status=409
    )


@api.exception_handler(TransitionError)
def _transition_refused(request, exc: TransitionError):
    # A state-machine refusal (approving a draft, publishing twice): the request conflicts with the current state.
    reason = "；".join(exc.messages)
    return api.create_response(
        request, {"detail": reason, "errors": [{"field": "状态", "reason": reason}]}, status=409
    )


@api.exception_handler(ValidationError)
def _schema_invalid(request, exc: ValidationError):
    # Same shape and language as RowInvalid, so a client handles one kind of 422.
    return api.create_response(request, validation_errors(exc.errors, request.path), status=422)


@api.exception_handler(HttpError)
def _http_error(request, exc: HttpError):
    # ninja's 400 is a body it cannot parse; say so in the API's language, with the documented ErrorOut body.
    detail = "请求体不是有效的 JSON" if exc.status_code == 400 else str(exc)
    return api.create_response(request, {"detail": detail}, status=exc.status_code)


@api.exception_handler(PermissionDenied)
def _forbidden(request, exc):
    return api.create_response(request, {"detail": str(exc) or "没有权限"}, status=403)


@api.exception_handler(Http404)
def _not_found(request, exc):
    return api.create_response(request, {"detail": "未找到"}, status=404)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request, exc):
    return api.create_response(request, {"detail": "未登录或令牌无效"}, status=401)


def _register_routers() -> None:
    # Routers are added by area; each module owns its endpoints.
    from shuangsuiji.caps import api as caps
    from shuangsuiji.outbox import api as outbox
    from shuangsuiji.stats import api as stats

    from . import bulk, directory, draws, planning, records

    api.add_router("/", directory.router)
    api.add_router("/", planning.router)
    api.add_router("/", draws.router)
    api.add_router("/", records.router)
    api.add_router("/", caps.router)
    api.add_router("/", stats.router)
    api.add_router("/", outbox.router)
    api.add_router("/", bulk.router)


_register_routers()
