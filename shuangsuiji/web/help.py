"""The user manual (docs/用户手册.md) inside the platform, and the "帮助" link of every page (issue 15, item 13).

The manual is Markdown, rendered with Python-Markdown (ADR 0019): the `toc` extension gives every heading a stable
anchor made from its Chinese text ("## 二、两库一单" → "二两库一单"), `tables` renders the role table. Raw HTML in the
manual is not passed through: the block and inline HTML processors are removed, so "<script>" is shown as text, and a
link whose address is not a relative path, an anchor or http(s) loses its address.

Where the manual is read from, first found wins: settings.USER_MANUAL_PATH (a path setting for unusual deployments),
the repository's docs/ (development), the copy that the package build puts into shuangsuiji/web/manual/ (setup.py),
so an installed package has its manual without the repository.
"""

from __future__ import annotations

import functools
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import markdown
from django.conf import settings
from django.urls import reverse
from markdown.extensions.toc import slugify_unicode
from markdown.treeprocessors import Treeprocessor

MANUAL_NAME = "用户手册.md"
PACKAGED_MANUAL = Path(__file__).resolve().parent / "manual" / MANUAL_NAME
REPOSITORY_MANUAL = Path(settings.BASE_DIR) / "docs" / MANUAL_NAME


class ManualMissing(RuntimeError):
    """Neither the configured path, the repository nor the package has the manual."""


def manual_path() -> Path:
    configured = getattr(settings, "USER_MANUAL_PATH", "")
    candidates = [Path(configured)] if configured else []
    candidates += [REPOSITORY_MANUAL, PACKAGED_MANUAL]
    for path in candidates:
        if path.is_file():
            return path
    raise ManualMissing("用户手册未找到：" + "、".join(str(p) for p in candidates))


# --- rendering ------------------------------------------------------------------------------------------------------

SAFE_SCHEMES = ("http://", "https://", "/", "#", "./", "../")


class _SafeLinks(Treeprocessor):
    """A link or image whose address could run code (javascript:, data:, vbscript:) keeps its text, not its address."""

    def run(self, root: ET.Element) -> None:
        for el in root.iter():
            for attr in ("href", "src"):
                value = el.get(attr)
                if value is not None and not value.strip().lower().startswith(SAFE_SCHEMES):
                    del el.attrib[attr]


# A line break between two Chinese characters (or full-width punctuation) is not a space in Chinese text; the
# browser would show one ("比例及 理由"), so the wrapped lines of a paragraph are joined there.
_CJK = "\u3000-\u303f\u3400-\u9fff\uff00-\uffef"
_CJK_BREAK = re.compile(f"(?<=[{_CJK}])[ \t]*\n[ \t]*(?=[{_CJK}])")


class _JoinChineseLines(Treeprocessor):
    def run(self, root: ET.Element) -> None:
        for el in root.iter():
            if el.text and el.tag not in ("pre", "code"):
                el.text = _CJK_BREAK.sub("", el.text)
            if el.tail:
                el.tail = _CJK_BREAK.sub("", el.tail)


def _markdown() -> markdown.Markdown:
    md = markdown.Markdown(
        extensions=["toc", "tables", "sane_lists"],
        extension_configs={"toc": {"slugify": slugify_unicode, "toc_depth": "2-3"}},
        output_format="html",
        # Keep the manual's own numbering ("2." after a heading stays 2.).
        lazy_ol=False,
    )
    # Raw HTML is escaped, never passed through (Python-Markdown 3 has no "safe mode"; these are its two doors).
    md.preprocessors.deregister("html_block")
    md.inlinePatterns.deregister("html")
    md.treeprocessors.register(_SafeLinks(md), "ssj_safe_links", 0)
    md.treeprocessors.register(_JoinChineseLines(md), "ssj_join_chinese_lines", 1)
    return md


@functools.lru_cache(maxsize=4)
def _render(text: str) -> tuple[str, str, tuple[str, ...]]:
    md = _markdown()
    body = md.convert(text)
    anchors = tuple(_anchors(md.toc_tokens))  # type: ignore[attr-defined]
    return body, md.toc, anchors  # type: ignore[attr-defined]


def _anchors(tokens) -> list[str]:
    out: list[str] = []
    for token in tokens:
        out.append(token["id"])
        out += _anchors(token["children"])
    return out


def render_markdown(text: str) -> tuple[str, str, tuple[str, ...]]:
    """(body HTML, table of contents HTML, every heading anchor) of a Markdown text."""
    return _render(text)


def render_manual() -> tuple[str, str, tuple[str, ...]]:
    return render_markdown(manual_path().read_text(encoding="utf-8"))


# --- the "帮助" link of each page -----------------------------------------------------------------------------------

# URL name (request.resolver_match.view_name) → the manual's anchor. Names not here open the manual's contents
# (HELP_CONTENTS); tests/web/test_help.py checks that every internal page is in one of the two and that every anchor
# exists in the rendered manual.
_SECTIONS: dict[str, tuple[str, ...]] = {
    "工作台与消息": ("home", "notification_list", "notification_open", "notification_read"),
    "登录与密码": ("login", "totp", "password_change"),
    "执法人员账号与手机现场录入": (
        "my_visits",
        "my_visit",
        "my_visit_sync",
        "my_visit_confirm",
        "phone_service_worker",
        "inspector_accounts",
        "inspector_password_reissue",
        "inspector_credentials_xlsx",
    ),
    "检查对象名录库": (
        "object_list",
        "object_create",
        "object_detail",
        "object_edit",
        "object_supervision",
        "object_licence_add",
        "credit_archive",
    ),
    "执法检查人员名录库": (
        "inspector_list",
        "inspector_create",
        "inspector_detail",
        "inspector_edit",
        "inspector_reveal",
        "inspector_conflict_add",
        "conflict_withdraw",
    ),
    "随机抽查事项清单": (
        "item_list",
        "item_create",
        "item_detail",
        "item_edit",
        "item_retire",
        "item_version",
    ),
    "导入与导出": ("import", "import_template", "import_errors", "export"),
    "部门与区划": ("reference",),
    "年度抽查计划": (
        "plan_list",
        "plan_create",
        "plan_detail",
        "plan_item_add",
        "plan_item_remove",
        "plan_batch_add",
        "plan_batch_remove",
        "plan_extra_batches_reason",
        "plan_transition",
    ),
    "工作方案": (
        "scheme_list",
        "scheme_create",
        "scheme_detail",
        "scheme_publish",
        "scheme_accept",
        "scheme_close",
        "department_raise_problems",
    ),
    "年度抽查次数上限": ("caps", "cap_set", "cap_exemption_request", "cap_exemption_decide"),
    "冻结名单": ("draw_freeze",),
    "抽取仪式": ("draw_detail", "draw_teams", "draw_ceremony"),
    "名录同步文件格式": ("directory_sync",),
    "推送省级平台": (
        "outbox_delivery",
        "outbox_event_resend",
        "outbox_rejected_resend",
        "outbox_batch_download",
        "outbox_batch_uploaded",
        "outbox_batch_returned",
    ),
    "归档与任务档案": ("scheme_archive", "scheme_dossier"),
    "检查文书": (
        "papers_task",
        "papers_task_xlsx",
        "papers_object",
        "papers_object_xlsx",
    ),
    "登记表与核验码": (
        "register_task",
        "register_task_xlsx",
        "register_object",
        "register_object_xlsx",
        "visit_qr",
    ),
    "替换": ("substitute_object", "substitute_member"),
    "任何人都可复核": ("draw_file",),
    "密封分层": ("draw_full_file", "draw_firm_proof"),
    "录入检查结果": (
        "record_list",
        "record_new",
        "record_detail",
        "record_edit",
        "record_attachment_upload",
        "record_attachment_download",
        "record_from_selection",
    ),
    "审核与公示": ("review_queue", "record_review"),
    "更正与联合抽查": ("record_correct", "visit_absence"),
    "后续处置": (
        "transfer_create",
        "transfer_list",
        "transfer_detail",
        "transfer_acknowledge",
        "transfer_close",
        "proposal_list",
        "proposal_decide",
    ),
    "统计分析": ("stats", "stats_xlsx", "stats_report"),
    "问责报表": ("accountability_report", "accountability_xlsx", "record_evidence_pack"),
    "节假日": (
        "calendar",
        "calendar_day_set",
        "calendar_day_remove",
        "calendar_year_declare",
        "calendar_notice_preview",
        "calendar_notice_import",
    ),
    "账号安全": (
        "security",
        "security_unlock",
        "security_reset_totp",
        "security_unlock_totp",
        "security_token_limits",
    ),
    "审计记录": ("audit_list", "audit_detail"),
}
HELP_ANCHORS: dict[str, str] = {
    name: slugify_unicode(heading, "-") for heading, names in _SECTIONS.items() for name in names
}
# Pages whose help is the manual as a whole: the manual itself, the first-login tour's dismissal, sign-out.
HELP_CONTENTS = {"help", "tour_dismiss", "logout"}


def help_url(view_name: str | None) -> str:
    base = reverse("help")
    anchor = HELP_ANCHORS.get(view_name or "")
    return f"{base}#{anchor}" if anchor else base
