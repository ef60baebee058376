from django.core.exceptions import PermissionDenied
from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, ValidationError

from shuangsuiji.directory.rows import RowInvalid

from .auth import session_auth, token_auth
from .errors import validation_errors

# docs_url=None: the interactive docs page would load Swagger UI from a CDN, which a closed government network
# cannot reach. The OpenAPI document itself is served at /api/v1/openapi.json.
api = NinjaAPI(
    title="双随机平台接口",
    version="1",
    description="“双随机、一公开”联合监管平台 /api/v1。认证：Authorization: Token <令牌>（系统对接）或浏览器会话。",
    auth=[token_auth, session_auth],
    openapi_url="/openapi.json",
    docs_url=None,
    urls_namespace="api",
)


@api.exception_handler(RowInvalid)
def _row_invalid(request, exc: RowInvalid):
    return api.create_response(
        request,
        {"detail": "数据校验未通过", "errors": [{"field": c, "reason": r} for c, r in exc.errors]},
        status=422,
    )


@api.exception_handler(ValidationError)
def _schema_invalid(request, exc: ValidationError):
    # Same shape and language as RowInvalid, so a client handles one kind of 422.
    return api.create_response(request, validation_errors(exc.errors, request.path), status=422)


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
    from . import directory

    api.add_router("/", directory.router)


_register_routers()
