from django.urls import include, path

urlpatterns = [
    path("", include("shuangsuiji.web.urls_core")),
    path("", include("shuangsuiji.web.urls_import")),
]
