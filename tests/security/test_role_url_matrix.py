"""三员分立 and department scoping as a role × URL matrix: every URL pattern and every API operation, every role.

The policy is the table below (POLICY), written from accounts/scoping.py (ROLE_PERMISSIONS, has_perm,
scope_to_department, sees_all_departments), the checks in the views and services, and docs/security.md. Each row names
one URL pattern (by its URL name) or one API operation (by method and OpenAPI path), a concrete URL filled with real
objects of the fixture world (tests/security/conftest.py), a minimal body that passes the request's own schema, and the
roles allowed. Every (row, role) cell is one request through the real HTTP stack:

* allowed — not 401/403/404, not a redirect to the login, second-factor or password page (a 400/409/422 for a body the
  service then rejects is fine: this tests who gets in, not validation);
* denied — 401/403/404 or a redirect to the login page; an anonymous caller must be sent to the login page (pages) or
  get 401 (API);
* anything else, and any 5xx, fails.

A completeness test fails when a URL pattern or API operation has no row, so a new endpoint cannot be added without
deciding who may use it. Excluded: Django's own admin (/admin/, its access is Django's and `urls._admin_only_for_sysadmin`)
and static/media serving (not URL patterns of the project; the web server serves them).

All department-owned objects belong to 市场监管局 (SCJG). The column "dept_admin@WJW" is bob, the administrator of
卫健委: he must get nothing of SCJG's except what is city-wide (the object directory) or was sent to his department.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve

from shuangsuiji.portal.verifier.wheel import wheel
from tests.draws.helpers import LOTTERY

from .conftest import (
    ANONYMOUS,
    AUDITOR,
    CLERK,
    DEPT_ADMIN,
    INSPECTOR,
    OFFICE,
    OTHER_DEPT_ADMIN,
    REVIEWER,
    ROLES,
    SECURITY_ADMIN,
    SYSADMIN,
    png_upload,
)

pytestmark = pytest.mark.django_db

# --- policy groups --------------------------------------------------------------------------------------------------

EVERYONE = frozenset(ROLES)
SIGNED_IN = EVERYONE - {ANONYMOUS}
# The city-wide object directory: every official, not an inspector's own account (its visits bring their objects).
OFFICIALS = SIGNED_IN - {INSPECTOR}
NOBODY: frozenset[str] = frozenset()
# 三员分立: each administrator alone does their own job.
SECURITY_ADMIN_ONLY = frozenset({SECURITY_ADMIN})  # unlock accounts, reset second factors (/security/)
AUDITOR_ONLY = frozenset({AUDITOR})  # read the audit trail (/audit/)
SYSADMIN_ONLY = frozenset({SYSADMIN})  # the holiday calendar (and Django admin, excluded here)
OFFICE_ONLY = frozenset({OFFICE})  # 联席会议办公室: approves or returns the departments' plans
# SCJG's department-owned objects (plans, schemes, draws, records, inspectors, items): read by the department and by
# the roles that see every department (scoping.sees_all_departments: the office and the system administrator).
SCJG_READERS = frozenset({CLERK, REVIEWER, DEPT_ADMIN, OFFICE, SYSADMIN})
SCJG_ADMIN = frozenset({DEPT_ADMIN})  # plans, schemes, the draw, inspectors and items of the own department
# draw.read_sealed (DRAW-v1.1): the lead department's administrator, the joint office, the auditor (who reaches no draw
# page or API read otherwise, so only the full-file pages).
SEALED_PAGES = frozenset({DEPT_ADMIN, OFFICE, AUDITOR})
SEALED_API = frozenset({DEPT_ADMIN, OFFICE})
SCJG_ENTRY = frozenset({CLERK, DEPT_ADMIN})  # 谁检查、谁录入: the department's clerks and administrator
SCJG_REVIEWER = frozenset({REVIEWER})  # 谁检查、谁公开: the department's reviewer
# Everyone whose department is SCJG, whatever the role: the transfer handling department (services.transfer_close
# checks the department only). olivia, the office user, belongs to SCJG, so she is one of them.
SCJG_MEMBERS = frozenset({CLERK, REVIEWER, DEPT_ADMIN, OFFICE})
# Unmasked ID numbers and phones: the per-user permission can_view_personal_data (only alice has it) and a department
# that may see the inspector.
PERSONAL_DATA = frozenset({DEPT_ADMIN})
# Own-department actions that any department's users start (what they create belongs to their department).
ANY_DEPT_ADMIN = frozenset({DEPT_ADMIN, OTHER_DEPT_ADMIN})  # new plans, schemes, inspectors, items
# New records, imports, the own department's supervision attributes and licences of an object.
ANY_DEPT_ENTRY = frozenset({CLERK, DEPT_ADMIN, OTHER_DEPT_ADMIN})
REVIEWERS = frozenset({REVIEWER})  # the review queue (of the own department)
# The city-wide base data of market entities is kept by the registering department (SCJG) and the office.
ENTITY_REGISTRY = frozenset({CLERK, DEPT_ADMIN, OFFICE})
# ROLE_PERMISSIONS "directory.export" (the masked export of the lists one sees).
EXPORTERS = frozenset({CLERK, REVIEWER, DEPT_ADMIN, OFFICE, OTHER_DEPT_ADMIN})
# Accountability report (art. 20): the office and the system administrator for all departments, an administrator for
# the own department.
REPORT_READERS = frozenset({DEPT_ADMIN, OFFICE, SYSADMIN, OTHER_DEPT_ADMIN})
# Statistics (scoping.stats_departments_for): a department's officials read their own department's, the office, the
# auditor and the system administrator every department's; the security administrator none (tests/stats for scoping).
STATS_READERS = SIGNED_IN - {SECURITY_ADMIN, INSPECTOR}
WJW_ONLY = frozenset({OTHER_DEPT_ADMIN})  # a transfer SCJG sent to WJW is acknowledged by WJW
# 执法人员 (issue 14): an inspector's account reaches its own visits and their papers, nothing department-wide.
INSPECTOR_ONLY = frozenset({INSPECTOR})
OUTBOX_MANAGERS = frozenset({OFFICE, SYSADMIN})  # scoping "outbox.manage": the delivery page and resends
UPLOADER_ONLY = frozenset({CLERK})  # an import error report is its uploader's (amy's) alone

# Session and account self-service: every user, the auditor included, signs in and out, passes the second factor,
# changes the own password and marks the own notifications read. These are the only POSTs the auditor may make.
# Closing the work-bench's first-login tour (tour_dismiss) is one of them.
SELF_SERVICE = {"login", "logout", "totp", "password_change", "notification_read", "tour_dismiss"}
# Rows that allow the anonymous caller: the public portal and API, the login pages, the health check, the OpenAPI
# document. Every other row must send an anonymous caller to the login page (pages) or answer 401 (API).
PUBLIC_KEYS = {
    "login",
    "logout",
    "healthz",
    "favicon.ico",  # browsers ask for it on every page, the login page included
    "phone_service_worker",  # the Service Worker script: no data, fetched for updates after sign-out
    "api:openapi-json",
    "GET /api/v1/public/results",
} | {
    f"portal:{n}"
    for n in (
        "index",
        "items",
        "plans",
        "plan",
        "tasks",
        "task",
        "caps",
        "draw_file",
        "results",
        "verifier",
        "verifier_script",
        "verifier_wheel",
        "verify_form",
        "verify",
        "stats",
    )
}
# URLs whose parameters could not be filled with a real object, so only "denied roles are denied" is asserted:
# none — every parameter is an object of the fixture world.
DENIAL_ONLY: frozenset[str] = frozenset()

UPLOAD = "<png upload>"  # a body value replaced by a fresh PNG upload at request time
API = "/api/v1"


@dataclass(frozen=True)
class Case:
    key: str  # URL name (namespace:name) or route of an unnamed pattern; "METHOD /api/v1/path" for an API operation
    method: str
    allowed: frozenset[str]
    url: str  # with {placeholders} of the world
    body: Any = None
    api: bool = False
    variant: str = ""
    # "SCJG": the URL names an object of SCJG; "city": a city-wide object; "SCJG→WJW": SCJG's, sent to WJW.
    owner: str = ""
    logout: bool = False  # the allowed answer is a redirect to the login page
    not_found_for_all: bool = (
        False  # answers 404 to everyone, the anonymous caller included (no login redirect)
    )

    @property
    def label(self) -> str:
        return f"{self.method} {self.url}" + (f" [{self.variant}]" if self.variant else "")


def page(key, methods, allowed, url, body=None, **kw) -> list[Case]:
    return [Case(key, m, frozenset(allowed), url, body, **kw) for m in methods.split()]


def api(method, path, allowed, url=None, body=None, **kw) -> list[Case]:
    return [
        Case(f"{method} {API}{path}", method, frozenset(allowed), API + (url or path), body, api=True, **kw)
    ]


SCHEME_BODY = {
    "name": "矩阵接口方案",
    "adhoc_reason": "测试",
    "strata": {"A": {"ratio": "0.1", "reserve": 1}},
    "item_ids": ["{item}"],
    "methods": ["实地核查"],
    "window_start": "2026-12-01",
    "window_end": "2026-12-20",
}
FREEZE_FORM = {
    "use_lottery": "1",
    "use_witness": "1",
    "lottery_name": LOTTERY["lottery"],
    "lottery_period": LOTTERY["period"],
    "lottery_draw_date": LOTTERY["draw_date"],
    "announced": "lottery = 福利彩票双色球第2026137期红球",
}
FREEZE_BODY = {
    "sources": [{"name": "lottery", "kind": "numbers", **LOTTERY}],
    "announced": "lottery = 福利彩票第2026137期",
}
CEREMONY_FORM = {
    "witness_name": "周监督",
    "witness_unit": "舞钢市司法局",
    "reveal_lottery": "30,3,11,15,22,27",
    "reveal_witness": "314159265358",
    "thrown_by_witness": "周监督",
}
PERFORM_BODY = {
    "witnesses": [{"name": "周监督", "unit": "舞钢市司法局"}],
    "reveals": {"lottery": "30,3,11,15,22,27", "witness": "314159265358"},
    "thrown_by": {"witness": "周监督"},
}

POLICY: list[Case] = [
    # --- session, second factor, password, security administrator --------------------------------------------------
    *page("login", "GET POST", EVERYONE, "/login/", {}),
    *page("logout", "POST", EVERYONE, "/logout/", {}, logout=True),
    *page("totp", "GET POST", SIGNED_IN, "/login/totp/", {"code": "000000"}),
    *page("password_change", "GET POST", SIGNED_IN, "/password/change/", {}),
    *page("security", "GET", SECURITY_ADMIN_ONLY, "/security/"),
    *page("security_unlock", "POST", SECURITY_ADMIN_ONLY, "/security/unlock/", {"username": "amy"}),
    *page("security_reset_totp", "POST", SECURITY_ADMIN_ONLY, "/security/users/{sam}/reset-totp/"),
    *page("security_unlock_totp", "POST", SECURITY_ADMIN_ONLY, "/security/users/{sam}/unlock-totp/"),
    *page(
        "security_token_limits",
        "POST",
        SECURITY_ADMIN_ONLY,
        "/security/tokens/{token}/limits/",
        {"rate_per_minute": "100", "bulk_rate_per_minute": ""},
    ),
    *page("home", "GET", SIGNED_IN, "/"),
    *page("healthz", "GET", EVERYONE, "/healthz"),
    # --- help in place (issue 15, item 13): the manual, the first-login tour, the site's icon ----------------------
    *page("help", "GET", SIGNED_IN, "/help/"),
    *page("tour_dismiss", "POST", SIGNED_IN, "/tour/dismiss/", {}),
    *page("favicon.ico", "GET", EVERYONE, "/favicon.ico"),
    # --- 检查对象名录库 (city-wide) ---------------------------------------------------------------------------------
    *page("object_list", "GET", SIGNED_IN, "/objects/"),
    *page("object_create", "GET POST", ENTITY_REGISTRY, "/objects/new/", {}),
    *page("object_detail", "GET", OFFICIALS, "/objects/{obj}/", owner="city"),
    *page("object_edit", "GET POST", ENTITY_REGISTRY, "/objects/{obj}/edit/", {}, owner="city"),
    # Each department keeps its own supervision attributes and licences of any object.
    *page(
        "object_supervision",
        "POST",
        ANY_DEPT_ENTRY,
        "/objects/{obj}/supervision/",
        {"tags": "重点监管"},
        owner="city",
    ),
    *page(
        "object_licence_add",
        "POST",
        ANY_DEPT_ENTRY,
        "/objects/{obj}/licences/",
        {"name": "食品经营许可证", "number": "JY14104810000099"},
        owner="city",
    ),
    *page("credit_archive", "GET", OFFICIALS, "/objects/{obj}/archive/", owner="city"),
    # --- 执法检查人员名录库 -----------------------------------------------------------------------------------------
    *page("inspector_list", "GET", SIGNED_IN, "/inspectors/"),
    *page("inspector_create", "GET POST", ANY_DEPT_ADMIN, "/inspectors/new/", {}),
    *page("inspector_detail", "GET", SCJG_READERS, "/inspectors/{ins}/", owner="SCJG"),
    *page("inspector_edit", "GET POST", SCJG_ADMIN, "/inspectors/{ins}/edit/", {}, owner="SCJG"),
    *page(
        "inspector_reveal",
        "POST",
        PERSONAL_DATA,
        "/inspectors/{ins}/reveal/",
        {"purpose": "核对身份"},
        owner="SCJG",
    ),
    *page(
        "inspector_conflict_add",
        "POST",
        SCJG_ADMIN,
        "/inspectors/{ins}/conflicts/",
        {"object_code": "{obj2_code}", "reason": "亲属关系"},
        owner="SCJG",
    ),
    *page(
        "conflict_withdraw",
        "POST",
        SCJG_ADMIN,
        "/conflicts/{conflict}/withdraw/",
        {"reason": "已消除"},
        owner="SCJG",
    ),
    # --- 随机抽查事项清单 -------------------------------------------------------------------------------------------
    *page("item_list", "GET", SIGNED_IN, "/items/"),
    *page("item_create", "GET POST", ANY_DEPT_ADMIN, "/items/new/", {}),
    *page("item_detail", "GET", SCJG_READERS, "/items/{item}/", owner="SCJG"),
    *page("item_edit", "GET POST", SCJG_ADMIN, "/items/{item}/edit/", {}, owner="SCJG"),
    *page("item_retire", "POST", SCJG_ADMIN, "/items/{item}/retire/", {"reason": "事项调整"}, owner="SCJG"),
    *page("item_version", "GET", SCJG_READERS, "/items/{item}/versions/1/", owner="SCJG"),
    *page("reference", "GET", SIGNED_IN, "/reference/"),
    # --- audit ------------------------------------------------------------------------------------------------------
    *page("audit_list", "GET", AUDITOR_ONLY, "/audit/"),
    *page("audit_detail", "GET", AUDITOR_ONLY, "/audit/{audit_event}/"),
    # --- import and export ------------------------------------------------------------------------------------------
    *page("import", "GET POST", ANY_DEPT_ENTRY, "/import/", {}),
    # Registration-change and risk-class files (directory/syncing.py): the joint office alone.
    *page("directory_sync", "GET POST", OFFICE_ONLY, "/directory/sync/", {}),
    *page("import_template", "GET", SIGNED_IN, "/import/template/entities.xlsx"),
    *page("import_errors", "GET", UPLOADER_ONLY, "/import/errors/{report_id}.xlsx"),
    *page("export", "GET", EXPORTERS, "/export/inspectors.xlsx"),
    # POST full=1 is the unmasked export: the personal-data permission as well.
    *page("export", "POST", PERSONAL_DATA, "/export/inspectors.xlsx", {"full": "1"}),
    # --- 检查记录, review, corrections, attachments -----------------------------------------------------------------
    *page("record_list", "GET", SIGNED_IN, "/records/"),
    *page("record_new", "GET POST", ANY_DEPT_ENTRY, "/records/new/", {}),
    *page("record_detail", "GET", SCJG_READERS, "/records/{rec_published}/", owner="SCJG"),
    *page(
        "record_edit", "GET POST", SCJG_ENTRY, "/records/{rec_draft}/edit/", {"note": "暂存"}, owner="SCJG"
    ),
    *page(
        "record_attachment_upload",
        "POST",
        SCJG_ENTRY,
        "/records/{rec_draft}/attachments/",
        {"file": UPLOAD, "kind": "照片"},
        owner="SCJG",
    ),
    *page(
        "record_attachment_download",
        "GET",
        SCJG_READERS,
        "/records/{rec_draft}/attachments/{attachment}/",
        owner="SCJG",
    ),
    *page(
        "record_review",
        "POST",
        SCJG_REVIEWER,
        "/records/{rec_submitted}/review/",
        {"decision": "approve"},
        owner="SCJG",
    ),
    *page(
        "record_correct",
        "POST",
        SCJG_ENTRY,
        "/records/{rec_published}/correct/",
        {"reason": "更正笔误"},
        owner="SCJG",
    ),
    *page(
        "transfer_create",
        "POST",
        SCJG_ENTRY,
        "/records/{rec_published}/transfers/",
        {"kind": "department", "to_department": "{wjw}", "content": "许可线索", "basis": "谁审批谁监管"},
        owner="SCJG",
    ),
    *page(
        "record_from_selection",
        "POST",
        SCJG_ENTRY,
        "/draws/{draw}/selections/{sel_free}/record/",
        owner="SCJG",
    ),
    # 未参加 a joint visit (issue 17, item 6): the participating department's clerks and administrator.
    *page(
        "visit_absence",
        "POST",
        SCJG_ENTRY,
        "/draws/{draw}/selections/{sel_free}/absence/",
        {"reason": "人手不足"},
        owner="SCJG",
    ),
    # The pack holds the record's audit events: not for the system administrator (三员分立), who reads the record.
    *page(
        "record_evidence_pack",
        "GET",
        SCJG_READERS - {SYSADMIN},
        "/records/{rec_published}/evidence.zip",
        owner="SCJG",
    ),
    *page("review_queue", "GET", REVIEWERS, "/review/"),
    # --- 后续处置 and 经营异常名录建议 ------------------------------------------------------------------------------
    *page("transfer_list", "GET", SIGNED_IN, "/transfers/"),
    *page("transfer_detail", "GET", SCJG_READERS, "/transfers/{t_police_sent}/", owner="SCJG"),
    *page(
        "transfer_detail",
        "GET",
        SCJG_READERS | WJW_ONLY,
        "/transfers/{t_to_wjw}/",
        variant="sent to WJW",
        owner="SCJG→WJW",
    ),
    # Sent to the police: the sending department's clerks record the receipt.
    *page(
        "transfer_acknowledge",
        "POST",
        SCJG_ENTRY,
        "/transfers/{t_police_sent}/acknowledge/",
        {"receipt_no": "公〔2026〕1号"},
        owner="SCJG",
    ),
    # Sent to another department: that department acknowledges it, not the sender.
    *page(
        "transfer_acknowledge",
        "POST",
        WJW_ONLY,
        "/transfers/{t_to_wjw}/acknowledge/",
        variant="sent to WJW",
        owner="SCJG→WJW",
    ),
    *page(
        "transfer_close",
        "POST",
        SCJG_MEMBERS,
        "/transfers/{t_acked}/close/",
        {"outcome": "已立案查处"},
        owner="SCJG",
    ),
    *page("proposal_list", "GET", SIGNED_IN, "/proposals/"),
    *page(
        "proposal_decide",
        "POST",
        SCJG_ADMIN,
        "/proposals/{proposal}/decide/",
        {"decision": "listed"},
        owner="SCJG",
    ),
    # --- 节假日日历 and notifications -------------------------------------------------------------------------------
    *page("calendar", "GET", SYSADMIN_ONLY, "/calendar/"),
    *page(
        "calendar_day_set",
        "POST",
        SYSADMIN_ONLY,
        "/calendar/days/",
        {"date": "2030-01-03", "is_workday": "0"},
    ),
    *page("calendar_day_remove", "POST", SYSADMIN_ONLY, "/calendar/days/{cal_day}/remove/"),
    *page("calendar_year_declare", "POST", SYSADMIN_ONLY, "/calendar/years/", {"year": "2031"}),
    *page(
        "calendar_notice_preview",
        "POST",
        SYSADMIN_ONLY,
        "/calendar/notice/preview/",
        {"text": "国务院办公厅关于2031年部分节假日安排的通知\n一、元旦：1月1日（周三）放假1天。"},
    ),
    *page(
        "calendar_notice_import",
        "POST",
        SYSADMIN_ONLY,
        "/calendar/notice/",
        {"text": "国务院办公厅关于2031年部分节假日安排的通知\n一、元旦：1月1日（周三）放假1天。"},
    ),
    # --- 执法人员 (issue 14): the inspector's own account, for the visits it is drawn for (ivan: `sel_ivan`) --------
    # The phone pages' Service Worker script: public like a static file (it holds no data).
    *page("phone_service_worker", "GET", EVERYONE, "/my/sw.js"),
    *page("my_visits", "GET", INSPECTOR_ONLY, "/my/visits/"),
    *page("my_visit", "GET", INSPECTOR_ONLY, "/my/visits/{sel_ivan}/", owner="SCJG"),
    *page(
        "my_visit_sync",
        "POST",
        INSPECTOR_ONLY,
        "/my/visits/{sel_ivan}/sync/",
        {"action": "save"},
        owner="SCJG",
    ),
    *page("my_visit_confirm", "POST", INSPECTOR_ONLY, "/my/visits/{sel_ivan}/confirm/", {}, owner="SCJG"),
    # Another team's visit (sel_free): not found for ivan.
    *page("my_visit", "GET", NOBODY, "/my/visits/{sel_free}/", owner="SCJG", variant="another team's visit"),
    *page(
        "my_visit_sync",
        "POST",
        NOBODY,
        "/my/visits/{sel_free}/sync/",
        {"action": "save"},
        owner="SCJG",
        variant="another team's visit",
    ),
    # The department administrator opens accounts for the own department's inspectors.
    *page("inspector_accounts", "GET POST", ANY_DEPT_ADMIN, "/accounts/inspectors/", {}),
    # A new one-time password for an inspector account of the own department (WJW's administrator: not found).
    *page(
        "inspector_password_reissue", "POST", SCJG_ADMIN, "/accounts/inspectors/{ins_account}/password/", {}
    ),
    *page("inspector_credentials_xlsx", "POST", ANY_DEPT_ADMIN, "/accounts/inspectors/credentials.xlsx", {}),
    *page("notification_list", "GET", SIGNED_IN, "/notifications/"),
    *page("notification_read", "POST", SIGNED_IN, "/notifications/read/", {}),
    # A message is its recipient's alone: opening it (a POST that marks it read) finds nobody else's.
    *page("notification_open", "POST", REVIEWERS, "/notifications/{note_reviewer}/open/", {}),
    # --- public portal ----------------------------------------------------------------------------------------------
    *page("portal:index", "GET", EVERYONE, "/portal/"),
    *page("portal:items", "GET", EVERYONE, "/portal/items/"),
    *page("portal:plans", "GET", EVERYONE, "/portal/plans/"),
    *page("portal:plan", "GET", EVERYONE, "/portal/plans/{plan_approved}/"),
    *page("portal:tasks", "GET", EVERYONE, "/portal/tasks/"),
    *page("portal:caps", "GET", EVERYONE, "/portal/caps/"),
    *page("portal:stats", "GET", EVERYONE, "/portal/stats/"),
    *page("portal:task", "GET", EVERYONE, "/portal/tasks/{scheme_drawn}/"),
    *page("portal:draw_file", "GET", EVERYONE, "/portal/draws/{draw}/files/params-public.json"),
    *page("portal:results", "GET", EVERYONE, "/portal/results/?q=舞钢市矩阵对象"),
    *page("portal:verifier", "GET", EVERYONE, "/portal/verifier/"),
    *page("portal:verify_form", "GET", EVERYONE, "/portal/verify/"),
    *page("portal:verify", "GET", EVERYONE, "/portal/verify/{visit_code}"),
    *page("portal:verifier_script", "GET", EVERYONE, "/portal/verifier/verify_draw.py"),
    *page("portal:verifier_wheel", "GET", EVERYONE, f"/portal/verifier/{wheel().filename}"),
    # --- 年度抽查计划 -----------------------------------------------------------------------------------------------
    *page("plan_list", "GET", SIGNED_IN, "/plans/"),
    *page("plan_create", "GET POST", ANY_DEPT_ADMIN, "/plans/new/", {}),
    *page("plan_detail", "GET", SCJG_READERS, "/plans/{plan_draft}/", owner="SCJG"),
    *page(
        "plan_item_add", "POST", SCJG_ADMIN, "/plans/{plan_draft}/items/", {"item": "{item2}"}, owner="SCJG"
    ),
    *page(
        "plan_item_remove", "POST", SCJG_ADMIN, "/plans/{plan_draft}/items/{plan_item}/remove/", owner="SCJG"
    ),
    *page(
        "plan_batch_add",
        "POST",
        SCJG_ADMIN,
        "/plans/{plan_draft}/batches/",
        {"name": "第二批", "month": "11"},
        owner="SCJG",
    ),
    *page(
        "plan_batch_remove",
        "POST",
        SCJG_ADMIN,
        "/plans/{plan_draft}/batches/{plan_batch}/remove/",
        owner="SCJG",
    ),
    *page(
        "plan_transition", "POST", SCJG_ADMIN, "/plans/{plan_draft}/submit/", variant="submit", owner="SCJG"
    ),
    *page(
        "plan_transition",
        "POST",
        OFFICE_ONLY,
        "/plans/{plan_submitted}/approve/",
        {"comment": "同意"},
        variant="approve",
        owner="SCJG",
    ),
    *page(
        "plan_transition",
        "POST",
        OFFICE_ONLY,
        "/plans/{plan_submitted}/return/",
        {"comment": "请补充事项"},
        variant="return",
        owner="SCJG",
    ),
    *page(
        "plan_transition",
        "POST",
        SCJG_ADMIN,
        "/plans/{plan_approved}/adjust/",
        {"reason": "增加事项"},
        variant="adjust",
        owner="SCJG",
    ),
    *page(
        "plan_transition",
        "POST",
        NOBODY,
        "/plans/{plan_draft}/publish/",
        variant="unknown action",
        owner="SCJG",
    ),
    *page(
        "plan_extra_batches_reason",
        "POST",
        SCJG_ADMIN,
        "/plans/{plan_draft}/extra-batches-reason/",
        {"reason": ""},
        owner="SCJG",
    ),
    # --- the city-wide yearly cap (issue 17, item 2): the office keeps it and decides exemptions ----------------
    *page("caps", "GET", SIGNED_IN, "/caps/"),
    # Bodies the services refuse (the cap is already 2, a request needs its reason, a refusal its comment), so the
    # world does not change: this tests who gets in.
    *page("cap_set", "POST", OFFICE_ONLY, "/caps/yearly/", {"value": "2", "reason": "矩阵"}),
    *page(
        "cap_exemption_request",
        "POST",
        ANY_DEPT_ADMIN,
        "/caps/exemptions/",
        {"object_code": "{obj_code}", "year": "2026", "reason": ""},
    ),
    *page(
        "cap_exemption_decide",
        "POST",
        OFFICE_ONLY,
        "/caps/exemptions/{cap_exemption}/refuse/",
        {"comment": ""},
        variant="refuse",
        owner="SCJG",
    ),
    *page(
        "cap_exemption_decide",
        "POST",
        NOBODY,
        "/caps/exemptions/{cap_exemption}/delete/",
        variant="unknown decision",
        owner="SCJG",
    ),
    # --- 抽查工作方案 and the draw ----------------------------------------------------------------------------------
    *page("scheme_list", "GET", SIGNED_IN, "/schemes/"),
    *page("scheme_create", "GET POST", ANY_DEPT_ADMIN, "/schemes/new/", {}),
    # Each department's administrator switches the own department's raise-problems rule (issue 12 item 4).
    *page("department_raise_problems", "POST", ANY_DEPT_ADMIN, "/schemes/raise-problems/", {"on": "1"}),
    *page("scheme_detail", "GET", SCJG_READERS, "/schemes/{scheme_drawn}/", owner="SCJG"),
    *page("scheme_publish", "POST", SCJG_ADMIN, "/schemes/{scheme_draft}/publish/", owner="SCJG"),
    *page("scheme_close", "POST", SCJG_ADMIN, "/schemes/{scheme_drawn}/close/", owner="SCJG"),
    # 归档 (issue 13 part 4): the lead department's administrator; the task is not finished, so the allowed answer is the
    # page with the blockers. The dossier: whoever sees the task, but not the system administrator (三员分立: it holds
    # the task's audit extract); the task is not archived, so the allowed answer is the page saying so.
    *page("scheme_archive", "POST", SCJG_ADMIN, "/schemes/{scheme_drawn}/archive/", owner="SCJG"),
    *page("scheme_dossier", "POST", SCJG_MEMBERS, "/schemes/{scheme_drawn}/dossier.zip", owner="SCJG"),
    # Only the participating department's administrator accepts a task of another department (issue 11, item 7).
    *page("scheme_accept", "POST", frozenset({OTHER_DEPT_ADMIN}), "/schemes/{scheme_joint}/accept/"),
    # The freeze and ceremony forms are shown only to who may submit them: the lead department's administrator.
    *page("draw_freeze", "GET", SCJG_ADMIN, "/schemes/{scheme_published}/freeze/", owner="SCJG"),
    *page(
        "draw_freeze", "POST", SCJG_ADMIN, "/schemes/{scheme_published}/freeze/", FREEZE_FORM, owner="SCJG"
    ),
    *page("draw_detail", "GET", SCJG_READERS, "/draws/{draw}/", owner="SCJG"),
    *page("draw_teams", "GET", SCJG_READERS, "/draws/{draw}/teams/", owner="SCJG"),
    *page("draw_ceremony", "GET", SCJG_ADMIN, "/draws/{draw_frozen}/ceremony/", owner="SCJG"),
    *page("draw_ceremony", "POST", SCJG_ADMIN, "/draws/{draw_frozen}/ceremony/", CEREMONY_FORM, owner="SCJG"),
    *page("draw_file", "GET", SCJG_READERS, "/draws/{draw}/files/params-public.json", owner="SCJG"),
    # draw.read_sealed: the sealed draw's full files and the firms' proofs (each audited).
    *page("draw_full_file", "GET", SEALED_PAGES, "/draws/{draw}/full/params.json", owner="SCJG"),
    *page("draw_firm_proof", "GET", SEALED_PAGES, "/draws/{draw}/proof/?object=NOSUCHFIRM1", owner="SCJG"),
    *page(
        "substitute_object",
        "POST",
        SCJG_ADMIN,
        "/draws/{draw}/selections/{sel_sub}/substitute/",
        {"reason_code": "DEREGISTERED"},
        owner="SCJG",
    ),
    *page(
        "substitute_member",
        "POST",
        SCJG_ADMIN,
        "/draws/{draw}/members/{member}/substitute/",
        {"reason_code": "UNAVAILABLE", "note": "病假"},
        owner="SCJG",
    ),
    *page("visit_qr", "GET", SCJG_READERS, "/draws/{draw}/selections/{sel_free}/qr.svg", owner="SCJG"),
    # The papers: an inspector prints those of its own visits (the task's 登记表 lists only those).
    *page("register_task", "GET", SCJG_READERS | INSPECTOR_ONLY, "/draws/{draw}/register/", owner="SCJG"),
    *page(
        "register_task_xlsx",
        "GET",
        SCJG_READERS | INSPECTOR_ONLY,
        "/draws/{draw}/register.xlsx",
        owner="SCJG",
    ),
    *page("register_object", "GET", SCJG_READERS, "/draws/{draw}/register/{sel_free}/", owner="SCJG"),
    *page(
        "register_object",
        "GET",
        SCJG_READERS | INSPECTOR_ONLY,
        "/draws/{draw}/register/{sel_ivan}/",
        owner="SCJG",
        variant="the inspector's own visit",
    ),
    *page(
        "register_object_xlsx",
        "GET",
        SCJG_READERS,
        "/draws/{draw}/register/{sel_free}.xlsx",
        owner="SCJG",
    ),
    # The papers inspectors carry (issue 14, part 1): read like the 登记表; an inspector prints those of its own visits
    # (the task's batch holds only those), never another team's object of the same draw.
    *page("papers_task", "GET", SCJG_READERS | INSPECTOR_ONLY, "/draws/{draw}/papers/", owner="SCJG"),
    *page(
        "papers_task_xlsx", "GET", SCJG_READERS | INSPECTOR_ONLY, "/draws/{draw}/papers.xlsx", owner="SCJG"
    ),
    *page("papers_object", "GET", SCJG_READERS, "/draws/{draw}/papers/{sel_free}/", owner="SCJG"),
    *page("papers_object_xlsx", "GET", SCJG_READERS, "/draws/{draw}/papers/{sel_free}.xlsx", owner="SCJG"),
    *page(
        "papers_object",
        "GET",
        SCJG_READERS | INSPECTOR_ONLY,
        "/draws/{draw}/papers/{sel_ivan}/",
        owner="SCJG",
        variant="the inspector's own visit",
    ),
    *page(
        "papers_object_xlsx",
        "GET",
        SCJG_READERS | INSPECTOR_ONLY,
        "/draws/{draw}/papers/{sel_ivan}.xlsx",
        owner="SCJG",
        variant="the inspector's own visit",
    ),
    # --- statistics (art. 15, 18) -----------------------------------------------------------------------------------
    *page("stats", "GET", STATS_READERS, "/stats/"),
    # The delivery to the provincial platform (issue 13): the office and the system administrator.
    *page("outbox_delivery", "GET", OUTBOX_MANAGERS, "/outbox/"),
    *page("outbox_event_resend", "POST", OUTBOX_MANAGERS, "/outbox/{outbox_event}/resend/"),
    *page("outbox_rejected_resend", "POST", OUTBOX_MANAGERS, "/outbox/resend-rejected/"),
    *page("outbox_batch_download", "GET", OUTBOX_MANAGERS, "/outbox/batches/{outbox_batch}/download/"),
    *page("outbox_batch_uploaded", "POST", OUTBOX_MANAGERS, "/outbox/batches/{outbox_batch}/uploaded/"),
    *page(
        "outbox_batch_returned",
        "POST",
        OUTBOX_MANAGERS,
        "/outbox/batches/{outbox_batch}/returned/",
        {"answer": "矩阵测试退回"},
    ),
    *page("stats_xlsx", "GET", STATS_READERS, "/stats/stats.xlsx"),
    *page("stats_report", "GET", STATS_READERS, "/stats/report/"),
    # --- accountability (art. 20) -----------------------------------------------------------------------------------
    *page("accountability_report", "GET", REPORT_READERS, "/accountability/"),
    *page(
        "accountability_report",
        "GET",
        REPORT_READERS - WJW_ONLY,
        "/accountability/?department={scjg}",
        variant="SCJG's report",
        owner="SCJG",
    ),
    *page("accountability_xlsx", "GET", REPORT_READERS, "/accountability/report.xlsx"),
    # --- the API's own URL patterns that are not operations ---------------------------------------------------------
    *page("api:openapi-json", "GET", EVERYONE, "/api/v1/openapi.json"),
    # ninja's root view only locates the API; it answers 404 to everyone (the docs page is switched off).
    *page("api:api-root", "GET", NOBODY, "/api/v1/", not_found_for_all=True),
    # === /api/v1 operations ==========================================================================================
    *api("GET", "/departments", SIGNED_IN),
    *api("GET", "/regions", SIGNED_IN),
    *api("GET", "/risk-classes", SIGNED_IN),
    *api("GET", "/objects", SIGNED_IN),
    *api(
        "POST",
        "/objects",
        ENTITY_REGISTRY,
        body={"code": "{new_uscc}", "name": "舞钢市矩阵接口商贸有限公司", "kind": "enterprise"},
    ),
    *api("GET", "/objects/{id}", OFFICIALS, "/objects/{obj}", owner="city"),
    *api(
        "PATCH",
        "/objects/{id}",
        ENTITY_REGISTRY,
        "/objects/{obj}",
        {"address": "舞钢市寺坡街道矩阵路1号"},
        owner="city",
    ),
    *api(
        "PUT",
        "/objects/{id}/supervision",
        ANY_DEPT_ENTRY,
        "/objects/{obj}/supervision",
        {"tags": ["重点监管"]},
        owner="city",
    ),
    *api("GET", "/inspectors", SIGNED_IN),
    *api(
        "POST",
        "/inspectors",
        SCJG_ADMIN,
        body={
            "department_id": "{scjg}",
            "name": "矩阵检查员",
            "cert_no": "41048990001",
            "cert_expires": "2030-12-31",
        },
        variant="for SCJG",
        owner="SCJG",
    ),
    *api("GET", "/inspectors/{id}", SCJG_READERS, "/inspectors/{ins}", owner="SCJG"),
    *api(
        "PATCH", "/inspectors/{id}", SCJG_ADMIN, "/inspectors/{ins}", {"phone": "13800001111"}, owner="SCJG"
    ),
    *api(
        "POST",
        "/inspectors/{id}/personal-data",
        PERSONAL_DATA,
        "/inspectors/{ins}/personal-data",
        {"purpose": "核对身份"},
        owner="SCJG",
    ),
    *api("GET", "/inspectors/{id}/conflicts", SCJG_READERS, "/inspectors/{ins}/conflicts", owner="SCJG"),
    *api(
        "POST",
        "/inspectors/{id}/conflicts",
        SCJG_ADMIN,
        "/inspectors/{ins}/conflicts",
        {"object_id": "{obj2}", "reason": "亲属关系"},
        owner="SCJG",
    ),
    *api("GET", "/items", SIGNED_IN),
    *api(
        "POST",
        "/items",
        SCJG_ADMIN,
        body={
            "code": "SCJG-M01",
            "name": "矩阵接口事项",
            "department_id": "{scjg}",
            "legal_basis": "《企业信息公示暂行条例》第十四条",
            "methods": ["书面检查"],
            "category": "重点",
        },
        variant="for SCJG",
        owner="SCJG",
    ),
    *api("GET", "/items/{id}", SCJG_READERS, "/items/{item}", owner="SCJG"),
    *api(
        "PATCH",
        "/items/{id}",
        SCJG_ADMIN,
        "/items/{item}",
        {"name": "矩阵事项改名", "reason": "调整"},
        owner="SCJG",
    ),
    *api("POST", "/items/{id}/retire", SCJG_ADMIN, "/items/{item}/retire", {"reason": "停用"}, owner="SCJG"),
    *api("GET", "/items/{id}/versions", SCJG_READERS, "/items/{item}/versions", owner="SCJG"),
    *api("GET", "/items/{id}/versions/{version}", SCJG_READERS, "/items/{item}/versions/1", owner="SCJG"),
    *api("GET", "/plans", SIGNED_IN),
    *api(
        "POST",
        "/plans/{id}/extra-batches-reason",
        SCJG_ADMIN,
        "/plans/{plan_draft}/extra-batches-reason",
        {"reason": ""},
        owner="SCJG",
    ),
    *api("GET", "/caps", SIGNED_IN),
    *api("GET", "/stats/summary", STATS_READERS),
    # The change feed of public facts (issue 13 part 3): any signed-in caller or token.
    *api("GET", "/changes", SIGNED_IN),
    *api("GET", "/bulk/results", SIGNED_IN, "/bulk/results?from=2026-01-01&to=2026-12-31"),
    *api("GET", "/bulk/draws", SIGNED_IN, "/bulk/draws?from=2026-01-01&to=2026-12-31"),
    *api("GET", "/bulk/plans", SIGNED_IN, "/bulk/plans?from=2026-01-01&to=2026-12-31"),
    *api("POST", "/caps/yearly", OFFICE_ONLY, body={"value": 2, "reason": "矩阵"}),
    *api("GET", "/cap-exemptions", SIGNED_IN),
    *api(
        "POST",
        "/cap-exemptions",
        ANY_DEPT_ADMIN,
        body={"object_id": "{obj}", "year": 2026, "reason": ""},
    ),
    *api(
        "POST",
        "/cap-exemptions/{id}/approve",
        OFFICE_ONLY,
        "/cap-exemptions/{cap_exemption}/approve",
        {"comment": "同意"},
        owner="SCJG",
    ),
    *api(
        "POST",
        "/cap-exemptions/{id}/refuse",
        OFFICE_ONLY,
        "/cap-exemptions/{cap_exemption}/refuse",
        {"comment": ""},
        owner="SCJG",
    ),
    *api(
        "POST", "/plans", ANY_DEPT_ADMIN, body={"kind": "department", "year": 2026, "title": "矩阵接口计划"}
    ),
    *api("GET", "/plans/{id}", SCJG_READERS, "/plans/{plan_draft}", owner="SCJG"),
    *api(
        "POST",
        "/plans/{id}/items",
        SCJG_ADMIN,
        "/plans/{plan_draft}/items",
        {"item_id": "{item2}"},
        owner="SCJG",
    ),
    *api(
        "DELETE",
        "/plans/{id}/items/{plan_item}",
        SCJG_ADMIN,
        "/plans/{plan_draft}/items/{plan_item}",
        owner="SCJG",
    ),
    *api(
        "POST",
        "/plans/{id}/batches",
        SCJG_ADMIN,
        "/plans/{plan_draft}/batches",
        {"name": "第二批", "month": 11},
        owner="SCJG",
    ),
    *api(
        "DELETE",
        "/plans/{id}/batches/{batch}",
        SCJG_ADMIN,
        "/plans/{plan_draft}/batches/{plan_batch}",
        owner="SCJG",
    ),
    *api("POST", "/plans/{id}/submit", SCJG_ADMIN, "/plans/{plan_draft}/submit", owner="SCJG"),
    *api(
        "POST",
        "/plans/{id}/approve",
        OFFICE_ONLY,
        "/plans/{plan_submitted}/approve",
        {"comment": "同意"},
        owner="SCJG",
    ),
    *api(
        "POST",
        "/plans/{id}/return",
        OFFICE_ONLY,
        "/plans/{plan_submitted}/return",
        {"comment": "请补充"},
        owner="SCJG",
    ),
    *api(
        "POST",
        "/plans/{id}/adjust",
        SCJG_ADMIN,
        "/plans/{plan_approved}/adjust",
        {"reason": "增加事项"},
        owner="SCJG",
    ),
    *api("GET", "/plans/{id}/versions", SCJG_READERS, "/plans/{plan_approved}/versions", owner="SCJG"),
    *api(
        "GET",
        "/plans/{id}/versions/{version}",
        SCJG_READERS,
        "/plans/{plan_approved}/versions/1",
        owner="SCJG",
    ),
    *api("GET", "/schemes", SIGNED_IN),
    *api("POST", "/schemes", ANY_DEPT_ADMIN, body=SCHEME_BODY),
    *api("GET", "/schemes/{id}", SCJG_READERS, "/schemes/{scheme_drawn}", owner="SCJG"),
    *api("POST", "/schemes/{id}/publish", SCJG_ADMIN, "/schemes/{scheme_draft}/publish", owner="SCJG"),
    *api("POST", "/schemes/{id}/close", SCJG_ADMIN, "/schemes/{scheme_drawn}/close", owner="SCJG"),
    *api("POST", "/schemes/{id}/archive", SCJG_ADMIN, "/schemes/{scheme_drawn}/archive", owner="SCJG"),
    *api(
        "POST", "/schemes/{id}/dossier.zip", SCJG_MEMBERS, "/schemes/{scheme_drawn}/dossier.zip", owner="SCJG"
    ),
    *api("POST", "/schemes/{id}/accept", frozenset({OTHER_DEPT_ADMIN}), "/schemes/{scheme_joint}/accept"),
    *api(
        "POST",
        "/schemes/{id}/freeze",
        SCJG_ADMIN,
        "/schemes/{scheme_published}/freeze",
        FREEZE_BODY,
        owner="SCJG",
    ),
    *api("GET", "/draws/{id}", SCJG_READERS, "/draws/{draw}", owner="SCJG"),
    *api(
        "POST", "/draws/{id}/perform", SCJG_ADMIN, "/draws/{draw_frozen}/perform", PERFORM_BODY, owner="SCJG"
    ),
    *api("GET", "/draws/{id}/selections", SCJG_READERS, "/draws/{draw}/selections", owner="SCJG"),
    *api(
        "GET",
        "/draws/{id}/files/{name}",
        SCJG_READERS,
        "/draws/{draw}/files/params-public.json",
        owner="SCJG",
    ),
    *api("GET", "/draws/{id}/files/{name}", SEALED_API, "/draws/{draw}/files/params.json", owner="SCJG"),
    *api("GET", "/draws/{id}/certificate", SEALED_API, "/draws/{draw}/certificate", owner="SCJG"),
    *api(
        "GET",
        "/draws/{id}/public-certificate",
        SCJG_READERS,
        "/draws/{draw}/public-certificate",
        owner="SCJG",
    ),
    *api(
        "POST",
        "/draws/{id}/selections/{selection}/substitute",
        SCJG_ADMIN,
        "/draws/{draw}/selections/{sel_sub}/substitute",
        {"reason_code": "DEREGISTERED"},
        owner="SCJG",
    ),
    *api(
        "POST",
        "/draws/{id}/members/{member}/substitute",
        SCJG_ADMIN,
        "/draws/{draw}/members/{member}/substitute",
        {"reason_code": "UNAVAILABLE", "note": "病假"},
        owner="SCJG",
    ),
    *api("GET", "/draws/{id}/substitutions", SCJG_READERS, "/draws/{draw}/substitutions", owner="SCJG"),
    *api("GET", "/draws/{id}/register", SCJG_READERS, "/draws/{draw}/register", owner="SCJG"),
    *api("GET", "/draws/{id}/register.xlsx", SCJG_READERS, "/draws/{draw}/register.xlsx", owner="SCJG"),
    *api("GET", "/draws/{id}/papers.xlsx", SCJG_READERS, "/draws/{draw}/papers.xlsx", owner="SCJG"),
    *api("GET", "/records", SIGNED_IN),
    *api(
        "POST",
        "/records",
        ANY_DEPT_ENTRY,
        body={"object_code": "{obj_code}", "trigger": "投诉举报", "trigger_ref": "TS-2026-001"},
    ),
    *api("GET", "/records/{id}", SCJG_READERS, "/records/{rec_published}", owner="SCJG"),
    *api("PATCH", "/records/{id}", SCJG_ENTRY, "/records/{rec_draft}", {"note": "暂存"}, owner="SCJG"),
    *api(
        "POST",
        "/draws/{draw_id}/selections/{sel_id}/record",
        SCJG_ENTRY,
        "/draws/{draw}/selections/{sel_free}/record",
        {},
        owner="SCJG",
    ),
    *api(
        "POST",
        "/draws/{draw_id}/selections/{sel_id}/absence",
        SCJG_ENTRY,
        "/draws/{draw}/selections/{sel_free}/absence",
        {"reason": "人手不足"},
        owner="SCJG",
    ),
    *api("POST", "/records/{id}/submit", SCJG_ENTRY, "/records/{rec_draft}/submit", {}, owner="SCJG"),
    *api(
        "POST",
        "/records/{id}/review",
        SCJG_REVIEWER,
        "/records/{rec_submitted}/review",
        {"approve": True},
        owner="SCJG",
    ),
    *api(
        "POST",
        "/records/{id}/correct",
        SCJG_ENTRY,
        "/records/{rec_published}/correct",
        {"reason": "更正"},
        owner="SCJG",
    ),
    *api(
        "POST",
        "/records/{id}/attachments",
        SCJG_ENTRY,
        "/records/{rec_draft}/attachments",
        {"file": UPLOAD, "kind": "照片"},
        owner="SCJG",
    ),
    *api(
        "POST",
        "/records/{id}/transfers",
        SCJG_ENTRY,
        "/records/{rec_published}/transfers",
        {"kind": "department", "content": "许可线索", "to_department_id": "{wjw}"},
        owner="SCJG",
    ),
    *api("GET", "/transfers", SIGNED_IN),
    *api("GET", "/transfers/{id}", SCJG_READERS, "/transfers/{t_police_sent}", owner="SCJG"),
    *api(
        "GET",
        "/transfers/{id}",
        SCJG_READERS | WJW_ONLY,
        "/transfers/{t_to_wjw}",
        variant="sent to WJW",
        owner="SCJG→WJW",
    ),
    *api(
        "POST",
        "/transfers/{id}/acknowledge",
        SCJG_ENTRY,
        "/transfers/{t_police_sent}/acknowledge",
        {"receipt_no": "公〔2026〕1号"},
        owner="SCJG",
    ),
    *api(
        "POST",
        "/transfers/{id}/acknowledge",
        WJW_ONLY,
        "/transfers/{t_to_wjw}/acknowledge",
        {},
        variant="sent to WJW",
        owner="SCJG→WJW",
    ),
    *api(
        "POST",
        "/transfers/{id}/close",
        SCJG_MEMBERS,
        "/transfers/{t_acked}/close",
        {"outcome": "已立案查处"},
        owner="SCJG",
    ),
    *api("GET", "/proposals", SIGNED_IN),
    *api(
        "POST",
        "/proposals/{id}/decide",
        SCJG_ADMIN,
        "/proposals/{proposal}/decide",
        {"listed": True},
        owner="SCJG",
    ),
    *api("GET", "/calendar/deadline", SIGNED_IN, "/calendar/deadline?date=2026-11-02"),
    *api("GET", "/public/results", EVERYONE, "/public/results?q=舞钢市矩阵对象"),
]

# Cells whose current behaviour contradicts the policy: (case label, role) -> reason. Each is an xfail(strict) cell,
# so it fails the day the behaviour is fixed and the entry must go. Empty: the holes this test found (plans and
# transfers visible to users of no department; the evidence pack's audit events for the system administrator) are fixed.
KNOWN_HOLES: dict[tuple[str, str], str] = {}


# --- running one cell -----------------------------------------------------------------------------------------------


def fill(value: Any, ids: dict[str, Any]) -> Any:
    """The template with the world's ids: "{name}" alone becomes the raw value (an int stays an int)."""
    if value == UPLOAD:
        return png_upload()
    if isinstance(value, str):
        whole = re.fullmatch(r"\{(\w+)\}", value)
        return ids[whole[1]] if whole else value.format(**ids)
    if isinstance(value, dict):
        return {k: fill(v, ids) for k, v in value.items()}
    if isinstance(value, list):
        return [fill(v, ids) for v in value]
    return value


def request(world, case: Case, role: str):
    client = Client()
    if role != ANONYMOUS:
        client.cookies[settings.SESSION_COOKIE_NAME] = world.sessions[role]
    url, body = fill(case.url, world.ids), fill(case.body, world.ids)
    if case.method == "GET":
        return client.get(url)
    if not case.api:
        return client.post(url, body or {})
    if case.method == "DELETE":
        return client.delete(url)
    if any(isinstance(v, SimpleUploadedFile) for v in (body or {}).values()):
        return client.post(url, body)  # multipart
    return client.generic(
        case.method, url, json.dumps(body or {}, ensure_ascii=False), content_type="application/json"
    )


def verdict(case: Case, response) -> str:
    status = response.status_code
    if status >= 500:
        return "error"
    if status in (401, 403, 404):
        return "denied"
    if 300 <= status < 400:
        target = urlsplit(response["Location"]).path
        if target == settings.LOGIN_URL:
            return "allowed" if case.logout else "denied"
        if target.startswith(("/login/totp/", "/password/change/")):
            return "stopped by the second-factor or password gate"
        return "allowed"
    if status == 405:
        return "method not allowed"
    return "allowed"  # 2xx, or 400/409/422 from a service that let the caller in and refused the body


def describe(response) -> str:
    where = f" → {response['Location']}" if response.has_header("Location") else ""
    content = b"" if getattr(response, "streaming", False) else response.content
    text = content[:300].decode("utf-8", "replace") if content and b"\x00" not in content[:300] else ""
    return f"{response.status_code}{where} {text}".strip()


def problem(world, case: Case, role: str, expect_allowed: bool) -> str | None:
    """None when the cell behaves as `expect_allowed` says; otherwise what happened."""
    who = role if role == ANONYMOUS else f"{role} ({world.usernames[role]})"
    cell = f"{case.label} as {who}"
    try:
        response = request(world, case, role)
    except Exception as e:  # the test client re-raises a view's exception: that is a 500
        return f"{cell}: expected {'allowed' if expect_allowed else 'denied'}, raised {type(e).__name__}: {e}"
    got = verdict(case, response)
    if expect_allowed and case.key not in DENIAL_ONLY:
        ok = got == "allowed"
    elif expect_allowed:
        ok = got != "error"
    else:
        ok = got == "denied"
        if ok and role == ANONYMOUS and not case.not_found_for_all:
            if case.api:
                ok = response.status_code == 401
            else:
                ok = response.status_code == 302 and urlsplit(response["Location"]).path == settings.LOGIN_URL
    if ok:
        return None
    expected = "allowed" if expect_allowed else "denied"
    return f"{cell}: expected {expected}, got {got}: {describe(response)}"


def cells(cases, roles):
    for case in cases:
        for role in roles:
            reason = KNOWN_HOLES.get((case.label, role))
            marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
            yield pytest.param(case, role, id=f"{case.label} as {role}", marks=marks)


# --- completeness ---------------------------------------------------------------------------------------------------


def _openapi_operations() -> set[str]:
    from shuangsuiji.api.api import api as ninja_api

    schema = ninja_api.get_openapi_schema()
    return {f"{method.upper()} {path}" for path, ops in schema["paths"].items() for method in ops}


def _patterns(resolver=None, prefix: str = "", namespace: str = ""):
    """(key, route, view) of every URL pattern, through the includes; the key is what POLICY rows name."""
    for p in (resolver or get_resolver()).url_patterns:
        if isinstance(p, URLResolver):
            ns = ":".join(n for n in (namespace, p.namespace or "") if n)
            yield from _patterns(p, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern):
            route = prefix + str(p.pattern)
            key = ":".join(n for n in (namespace, p.name) if n) if p.name else route
            yield key, route, getattr(p.callback, "__qualname__", repr(p.callback))


def _excluded(route: str) -> bool:
    # Django's admin is Django's (and sysadmin-only, urls._admin_only_for_sysadmin); static and media files are
    # served by the web server, not by project URL patterns.
    static = (settings.STATIC_URL or "").lstrip("/")
    media = (getattr(settings, "MEDIA_URL", "") or "").lstrip("/")
    return (
        route.startswith("admin/")
        or bool(static and route.startswith(static))
        or bool(media and route.startswith(media))
    )


def _api_path(route: str) -> str:
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route)


def test_every_url_and_api_operation_has_a_declared_policy():
    declared = {c.key for c in POLICY}
    operations = _openapi_operations()
    api_paths = {op.split(" ", 1)[1] for op in operations}
    missing, existing = [], set(operations)
    for key, route, view in _patterns():
        if _excluded(route):
            continue
        if route.startswith("api/") and _api_path(route) in api_paths:
            continue  # one pattern per API path; its operations are checked one by one below
        existing.add(key)
        if key not in declared:
            missing.append(f"URL pattern {route!r} (name {key!r}, view {view})")
    missing += [f"API operation {op}" for op in sorted(operations - declared)]
    stale = sorted(declared - existing)
    assert not (missing or stale), (
        "no policy row for:\n"
        + "\n".join(missing or ["(none)"])
        + "\npolicy rows for URL patterns or operations that do not exist:\n"
        + "\n".join(stale or ["(none)"])
    )


def test_every_row_targets_the_pattern_or_operation_it_names():
    wrong = []
    for case in POLICY:
        url = urlsplit(case.url.replace("{report_id}", "0" * 32)).path
        url = re.sub(r"\{\w+\}", "1", url)
        if case.api:
            template = re.sub(r"\\\{\w+\\\}", "[^/]+", re.escape(case.key.split(" ", 1)[1]))
            if not re.fullmatch(template, url) or case.method != case.key.split(" ", 1)[0]:
                wrong.append(f"{case.label} is not {case.key}")
            continue
        match = resolve(url)
        key = match.view_name if match.url_name else match.route
        if key != case.key:
            wrong.append(f"{case.label} resolves to {key!r}, not {case.key!r}")
    assert not wrong, "\n".join(wrong)


# --- the matrix -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("case", "role"), list(cells(POLICY, ROLES)))
def test_each_role_reaches_exactly_what_its_policy_allows(world, case, role):
    found = problem(world, case, role, role in case.allowed)
    assert found is None, found


# --- the key policy points, each on its own -------------------------------------------------------------------------

WRITES = [c for c in POLICY if c.method != "GET"]


@pytest.mark.parametrize(
    ("case", "role"), list(cells([c for c in WRITES if c.key not in SELF_SERVICE], [AUDITOR]))
)
def test_the_auditor_can_write_nothing(world, case, role):
    assert AUDITOR not in case.allowed, f"the policy lets the auditor make {case.label}"
    found = problem(world, case, role, expect_allowed=False)
    assert found is None, found


def test_the_auditor_may_post_only_to_the_session_pages():
    assert {c.key for c in WRITES if AUDITOR in c.allowed} == SELF_SERVICE


# The audit pages, for the two administrators who are not the auditor (三员分立): the system administrator, and the
# security administrator too.
AUDIT_READS = [c for c in POLICY if c.key in ("audit_list", "audit_detail")]


@pytest.mark.parametrize(("case", "role"), list(cells(AUDIT_READS, [SYSADMIN, SECURITY_ADMIN])))
def test_the_system_administrator_cannot_read_the_audit(world, case, role):
    assert case.allowed == AUDITOR_ONLY
    found = problem(world, case, role, expect_allowed=False)
    assert found is None, found


def test_the_system_administrator_cannot_read_the_audit_through_an_evidence_pack(world):
    [case] = [c for c in POLICY if c.key == "record_evidence_pack"]
    response = request(world, case, SYSADMIN)
    if response.status_code == 200:
        names = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))).namelist()
        assert not [n for n in names if n.endswith("audit.json")], names
    else:
        assert verdict(case, response) == "denied", describe(response)


@pytest.mark.parametrize("role", [SYSADMIN, DEPT_ADMIN])
def test_the_record_page_shows_its_audit_history_to_officials_but_not_to_the_system_administrator(
    world, role
):
    page = request(world, Case("record", "GET", NOBODY, "/records/{rec_published}/"), role).content.decode()
    assert ("操作记录" in page and "evidence.zip" in page) == (role == DEPT_ADMIN)


# The department-scoped lists: an official of no department (the security administrator, the auditor) finds nothing
# of any department in them. (The object directory and the reference lists are city-wide, and not here.)
SCOPED_LISTS = ["/plans", "/schemes", "/records", "/transfers", "/proposals", "/inspectors", "/items"]
LIST_HOLES: dict[str, str] = {}


@pytest.mark.parametrize(
    ("path", "role"),
    [
        pytest.param(
            path,
            role,
            id=f"{path} as {role}",
            marks=[pytest.mark.xfail(strict=True, reason=LIST_HOLES[path])] if path in LIST_HOLES else [],
        )
        for path in SCOPED_LISTS
        for role in (SECURITY_ADMIN, AUDITOR)
    ],
)
def test_an_administrator_of_no_department_finds_nothing_in_the_department_lists(world, path, role):
    response = request(world, Case(path, "GET", NOBODY, API + path, api=True), role)
    assert response.status_code == 200, describe(response)
    assert response.json()["count"] == 0, describe(response)


SECURITY_PAGES = [c for c in POLICY if c.url.startswith("/security/")]


@pytest.mark.parametrize(("case", "role"), list(cells(SECURITY_PAGES, ROLES)))
def test_only_the_security_administrator_uses_the_security_pages(world, case, role):
    assert case.allowed == SECURITY_ADMIN_ONLY
    found = problem(world, case, role, role == SECURITY_ADMIN)
    assert found is None, found


def test_only_the_public_pages_let_anonymous_callers_in():
    public = {c.key for c in POLICY if ANONYMOUS in c.allowed}
    assert public == PUBLIC_KEYS
    # The others send anonymous callers to the login page or answer 401: asserted cell by cell in the matrix.
    assert {c.key for c in POLICY if c.not_found_for_all} == {"api:api-root"}


SCJG_OBJECTS = [c for c in POLICY if c.owner == "SCJG"]


@pytest.mark.parametrize(("case", "role"), list(cells(SCJG_OBJECTS, [OTHER_DEPT_ADMIN])))
def test_another_departments_administrator_gets_nothing_of_scjgs_objects(world, case, role):
    assert OTHER_DEPT_ADMIN not in case.allowed
    found = problem(world, case, role, expect_allowed=False)
    assert found is None, found


# --- methods a page does not declare --------------------------------------------------------------------------------

# A GET-only page answers 405 to a POST, and a POST-only one to a GET, so a handler cannot be added to an existing URL
# without a policy row for its method. Exempt: pages that answer every method and change nothing (the health check,
# the OpenAPI document). API operations are checked against the OpenAPI document instead.
ANY_METHOD = {"healthz", "api:openapi-json"}


def _undeclared_method_cases():
    declared: dict[str, list[Case]] = {}
    for c in POLICY:
        if not c.api and c.allowed and c.key not in ANY_METHOD:
            declared.setdefault(c.key, []).append(c)
    for key, cases in declared.items():
        methods = {c.method for c in cases}
        for other in {"GET", "POST"} - methods:
            base = cases[0]
            yield pytest.param(
                Case(key, other, NOBODY, base.url, {}), sorted(base.allowed)[0], id=f"{other} {base.url}"
            )


@pytest.mark.parametrize(("case", "role"), list(_undeclared_method_cases()))
def test_no_page_answers_a_method_its_policy_does_not_declare(world, case, role):
    response = request(world, case, role)
    assert response.status_code == 405, f"{case.label} as {role}: {describe(response)}"


def _readable(response) -> str:
    """The text of a response; for a ZIP (evidence pack) or an xlsx (exports) the text of every member."""
    body = b"".join(response.streaming_content) if getattr(response, "streaming", False) else response.content
    if body[:4] == b"PK\x03\x04" and zipfile.is_zipfile(io.BytesIO(body)):
        with zipfile.ZipFile(io.BytesIO(body)) as z:
            return "\n".join(z.read(n).decode("utf-8", "replace") for n in z.namelist())
    return body.decode("utf-8", "replace")


def test_no_page_download_or_api_read_shows_a_full_id_number_or_phone_to_anyone(world):
    from shuangsuiji.directory.models import Inspector

    numbers = [n for pair in Inspector.objects.values_list("id_number", "phone") for n in pair if n]
    assert numbers
    leaks = []
    for case in POLICY:
        if case.method != "GET":
            continue  # the audited reveal and the unmasked export are POSTs, with their own tests
        for role in ROLES:
            if role not in case.allowed:
                continue
            text = _readable(request(world, case, role))
            found = [n for n in numbers if n in text]
            if found:
                leaks.append(f"{case.label} as {role}: {found}")
    assert not leaks, "\n".join(leaks)
