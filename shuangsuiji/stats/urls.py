from django.urls import path

from . import views

urlpatterns = [
    path("", views.stats_page, name="stats"),
    path("stats.xlsx", views.stats_xlsx, name="stats_xlsx"),
    path("report/", views.stats_report, name="stats_report"),
]
