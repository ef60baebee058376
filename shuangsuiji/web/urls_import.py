from django.urls import path, re_path

from . import import_views, sync_views

KIND = r"(?P<kind>entities|inspectors|items)"

urlpatterns = [
    path("import/", import_views.import_page, name="import"),
    path("directory/sync/", sync_views.sync_page, name="directory_sync"),
    re_path(rf"^import/template/{KIND}\.xlsx$", import_views.template_download, name="import_template"),
    re_path(
        r"^import/errors/(?P<report_id>[0-9a-f]{32})\.xlsx$", import_views.error_report, name="import_errors"
    ),
    re_path(rf"^export/{KIND}\.xlsx$", import_views.export_download, name="export"),
]
