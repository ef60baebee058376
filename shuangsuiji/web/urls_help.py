from django.urls import path

from . import views_help

urlpatterns = [
    path("help/", views_help.help_page, name="help"),
    path("tour/dismiss/", views_help.tour_dismiss_view, name="tour_dismiss"),
    # Unnamed like the health check: not a page, so it has no help section.
    path("favicon.ico", views_help.favicon),
]
