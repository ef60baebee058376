from django.urls import path

from . import views

urlpatterns = [
    path("", views.caps_page, name="caps"),
    path("yearly/", views.cap_set, name="cap_set"),
    path("exemptions/", views.exemption_request, name="cap_exemption_request"),
    path(
        "exemptions/<int:pk>/<str:decision>/",
        views.exemption_decide,
        name="cap_exemption_decide",
    ),
]
