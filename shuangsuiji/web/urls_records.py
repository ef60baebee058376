from django.urls import path

from . import views_phone
from . import views_records as v

urlpatterns = [
    # The phone pages' Service Worker: its URL under /my/ gives it the scope /my/ (the 我的检查 pages, nothing else).
    path("my/sw.js", views_phone.phone_service_worker, name="phone_service_worker"),
    path("my/visits/", views_phone.my_visits, name="my_visits"),
    path("my/visits/<int:sel_pk>/", views_phone.my_visit, name="my_visit"),
    path("my/visits/<int:sel_pk>/sync/", views_phone.my_visit_sync, name="my_visit_sync"),
    path("my/visits/<int:sel_pk>/confirm/", views_phone.my_visit_confirm, name="my_visit_confirm"),
    path("accounts/inspectors/", views_phone.inspector_accounts, name="inspector_accounts"),
    path(
        "accounts/inspectors/<int:user_pk>/password/",
        views_phone.inspector_password_reissue,
        name="inspector_password_reissue",
    ),
    path(
        "accounts/inspectors/credentials.xlsx",
        views_phone.inspector_credentials_xlsx,
        name="inspector_credentials_xlsx",
    ),
    path("records/", v.record_list, name="record_list"),
    path("records/new/", v.record_new, name="record_new"),
    path("records/<int:pk>/", v.record_detail, name="record_detail"),
    path("records/<int:pk>/edit/", v.record_edit, name="record_edit"),
    path("records/<int:pk>/attachments/", v.attachment_upload, name="record_attachment_upload"),
    path(
        "records/<int:pk>/attachments/<int:att_pk>/",
        v.attachment_download,
        name="record_attachment_download",
    ),
    path("records/<int:pk>/review/", v.record_review, name="record_review"),
    path("records/<int:pk>/correct/", v.record_correct, name="record_correct"),
    path("records/<int:pk>/transfers/", v.transfer_create, name="transfer_create"),
    path(
        "draws/<int:pk>/selections/<int:sel_pk>/record/",
        v.record_from_selection,
        name="record_from_selection",
    ),
    path("draws/<int:pk>/selections/<int:sel_pk>/absence/", v.visit_absence, name="visit_absence"),
    path("review/", v.review_queue, name="review_queue"),
    path("transfers/", v.transfer_list, name="transfer_list"),
    path("transfers/<int:pk>/", v.transfer_detail, name="transfer_detail"),
    path("transfers/<int:pk>/acknowledge/", v.transfer_acknowledge, name="transfer_acknowledge"),
    path("transfers/<int:pk>/close/", v.transfer_close, name="transfer_close"),
    path("proposals/", v.proposal_list, name="proposal_list"),
    path("proposals/<int:pk>/decide/", v.proposal_decide, name="proposal_decide"),
    path("objects/<int:pk>/archive/", v.credit_archive, name="credit_archive"),
    path("calendar/", v.calendar_page, name="calendar"),
    path("calendar/days/", v.calendar_day_set, name="calendar_day_set"),
    path("calendar/days/<int:pk>/remove/", v.calendar_day_remove, name="calendar_day_remove"),
    path("calendar/years/", v.calendar_year_declare, name="calendar_year_declare"),
    path("calendar/notice/preview/", v.calendar_notice_preview, name="calendar_notice_preview"),
    path("calendar/notice/", v.calendar_notice_import, name="calendar_notice_import"),
    path("notifications/", v.notification_list, name="notification_list"),
    path("notifications/read/", v.notification_read, name="notification_read"),
    path("notifications/<int:pk>/open/", v.notification_open, name="notification_open"),
]
