from django.contrib import admin
from django.urls import include, path

from shuangsuiji.accounts.models import Role


def _admin_only_for_sysadmin(request) -> bool:
    # Django admin is a tool of the 系统管理员 only (issue 2); business data is changed through services.
    user = request.user
    return user.is_active and user.is_staff and (user.is_superuser or user.role == Role.SYSADMIN)


admin.site.has_permission = _admin_only_for_sysadmin
admin.site.site_header = "双随机平台 · 系统管理"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include("shuangsuiji.api.urls")),
    path("", include("shuangsuiji.web.urls")),
]
