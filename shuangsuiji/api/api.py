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
from .errors import validation_errors


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


class PlatformAPI(NinjaAPI):
    def get_openapi_schema(self, **kwargs):
        """Ninja's schema, plus the Idempotency-Key header on every write: the middleware handles it before the view,
        so no operation signature mentions it, yet every client should know it can send one."""
        schema = super().get_openapi_schema(**kwargs)
        for path_item in schema.get("paths", {}).values():
            for method, operation in path_item.items():
                if method.upper() in UNSAFE_METHODS:
                    operation.setdefault("parameters", []).append(dict(IDEMPOTENCY_PARAMETER))
        return schema


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

    from . import directory, draws, planning, records

    api.add_router("/", directory.router)
    api.add_router("/", planning.router)
    api.add_router("/", draws.router)
    api.add_router("/", records.router)
    api.add_router("/", caps.router)
    api.add_router("/", stats.router)
    api.add_router("/", outbox.router)


_register_routers()
