from django.contrib.auth import views as auth_views
from django.urls import path

from . import views, views_security

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(template_name="web/login.html"), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("login/totp/", views_security.totp_verify, name="totp"),
    path("password/change/", views_security.password_change, name="password_change"),
    path("security/", views_security.security_home, name="security"),
    path("security/unlock/", views_security.security_unlock, name="security_unlock"),
    path(
        "security/tokens/<int:pk>/limits/",
        views_security.security_token_limits,
        name="security_token_limits",
    ),
    path(
        "security/users/<int:pk>/reset-totp/", views_security.security_reset_totp, name="security_reset_totp"
    ),
    path(
        "security/users/<int:pk>/unlock-totp/",
        views_security.security_unlock_totp,
        name="security_unlock_totp",
    ),
    path("", views.home, name="home"),
    path("healthz", views.healthz),
    path("objects/", views.object_list, name="object_list"),
    path("objects/new/", views.object_create, name="object_create"),
    path("objects/<int:pk>/", views.object_detail, name="object_detail"),
    path("objects/<int:pk>/edit/", views.object_edit, name="object_edit"),
    path("objects/<int:pk>/supervision/", views.object_supervision, name="object_supervision"),
    path("objects/<int:pk>/licences/", views.object_licence_add, name="object_licence_add"),
    path("inspectors/", views.inspector_list, name="inspector_list"),
    path("inspectors/new/", views.inspector_create, name="inspector_create"),
    path("inspectors/<int:pk>/", views.inspector_detail, name="inspector_detail"),
    path("inspectors/<int:pk>/edit/", views.inspector_edit, name="inspector_edit"),
    path("inspectors/<int:pk>/reveal/", views.inspector_reveal, name="inspector_reveal"),
    path("inspectors/<int:pk>/conflicts/", views.inspector_conflict_add, name="inspector_conflict_add"),
    path("conflicts/<int:pk>/withdraw/", views.conflict_withdraw, name="conflict_withdraw"),
    path("items/", views.item_list, name="item_list"),
    path("items/new/", views.item_create, name="item_create"),
    path("items/<int:pk>/", views.item_detail, name="item_detail"),
    path("items/<int:pk>/edit/", views.item_edit, name="item_edit"),
    path("items/<int:pk>/retire/", views.item_retire, name="item_retire"),
    path("items/<int:pk>/versions/<int:version>/", views.item_version, name="item_version"),
    path("reference/", views.reference, name="reference"),
    path("audit/", views.audit_list, name="audit_list"),
    path("audit/<int:pk>/", views.audit_detail, name="audit_detail"),
]
