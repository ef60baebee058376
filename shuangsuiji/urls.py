from django.contrib import admin
from django.contrib.auth.models import Group
from django.shortcuts import redirect
from django.urls import include, path

from shuangsuiji.accounts.models import Role


def _admin_only_for_sysadmin(request) -> bool:
    # Django admin is a tool of the 系统管理员 only (issue 2); business data is changed through services.
    user = request.user
    return user.is_active and user.is_staff and (user.is_superuser or user.role == Role.SYSADMIN)


admin.site.has_permission = _admin_only_for_sysadmin
admin.site.site_header = "双随机平台 · 系统管理"
# Every write is a service that records an audit event (issue 11, item 11): the admin's own password change goes to
# the audited page, and Django's groups, which the platform does not use (roles are User.role), are not offered.
admin.site.password_change = lambda request, extra_context=None: redirect("/password/change/")
if admin.site.is_registered(Group):
    admin.site.unregister(Group)

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include("shuangsuiji.api.urls")),
    path("", include("shuangsuiji.web.urls")),
]

# Chinese error pages in the site's frame; templates 400/403/404.html are found by Django's default handlers.
handler500 = "shuangsuiji.web.errors.server_error"
