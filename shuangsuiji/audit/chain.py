"""The tamper-evident audit chain: every event carries HMAC-SM3(key, previous MAC | its canonical content).

The key comes from the environment (AUDIT_HMAC_KEY), never from the database, so someone who can write to the
database but does not hold the key cannot forge a consistent chain. Editing, deleting, swapping or truncating
events is detected by `verify_chain`, which names the first broken event.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass

from cryptography.hazmat.primitives import hashes, hmac
from django.conf import settings
from django.core import checks

from .models import AuditChainHead, AuditEvent

DEV_KEY = "dev-only-audit-key-change-me"


def _configured_key() -> str:
    return os.environ.get("AUDIT_HMAC_KEY") or getattr(settings, "AUDIT_HMAC_KEY", "") or ""


def chain_key() -> bytes:
    key = _configured_key()
    development = settings.DEBUG or settings.DEMO_MODE
    if not key or (key == DEV_KEY and not development):
        if not development:
            raise RuntimeError(
                "生产环境必须设置环境变量 AUDIT_HMAC_KEY（审计链密钥，不得存放在数据库中，不得使用开发密钥）"
            )
        key = DEV_KEY
    return key.encode("utf-8")


@checks.register(checks.Tags.security)
def check_audit_key(app_configs: object = None, **kwargs: object) -> list[checks.CheckMessage]:
    """Outside development and demo mode, no key or the published development key is an error: anyone could then
    recompute the chain after editing the audit trail. `wsgi.py` refuses to serve on this error."""
    if settings.DEBUG or settings.DEMO_MODE:
        return []
    key = _configured_key()
    if key and key != DEV_KEY:
        return []
    return [
        checks.Error(
            "生产环境未设置 AUDIT_HMAC_KEY（或仍是开发密钥）：审计链可被伪造。",
            hint="设置至少 32 字节的随机值，保存在数据库和备份之外。",
            id="shuangsuiji.E002",
        )
    ]


def mac_of(key: bytes, prev_mac: str, content: bytes) -> str:
    h = hmac.HMAC(key, hashes.SM3())
    h.update(prev_mac.encode("ascii") + b"|" + content)
    return h.finalize().hex()


def canonical(event: AuditEvent) -> bytes:
    data = {
        "seq": event.seq,
        "at": event.at.isoformat(timespec="microseconds"),
        "actor_id": event.actor_id,
        "actor_name": event.actor_name,
        "department_id": event.department_id,
        "action": event.action,
        "target_type": event.target_type,
        "target_id": event.target_id,
        "target_repr": event.target_repr,
        "before": event.before,
        "after": event.after,
        "reason": event.reason,
        "ip": event.ip,
    }
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def head_mac(key: bytes, head: AuditChainHead) -> str:
    return mac_of(
        key, "head", f"{head.last_seq}|{head.last_mac}|{head.anchor_seq}|{head.anchor_mac}".encode()
    )


def locked_head() -> AuditChainHead:
    head = AuditChainHead.objects.select_for_update().filter(pk=1).first()
    if head is None:
        AuditChainHead.objects.get_or_create(pk=1)
        head = AuditChainHead.objects.select_for_update().get(pk=1)
    return head


def seal(event: AuditEvent) -> None:
    """Append `event` (already built, not yet saved) to the chain. Runs inside the caller's transaction and holds the
    head's row lock until it commits, so concurrent appends are serialised and the chain never forks."""
    key = chain_key()
    head = locked_head()
    event.seq = head.last_seq + 1
    event.prev_mac = head.last_mac
    event.mac = mac_of(key, event.prev_mac, canonical(event))
    event.save()
    head.last_seq, head.last_mac = event.seq, event.mac
    head.head_mac = head_mac(key, head)
    head.save()


@dataclass
class ChainReport:
    ok: bool
    checked: int
    message: str
    broken_seq: int | None = None
    broken_id: int | None = None


def verify_chain() -> ChainReport:
    key = chain_key()
    head = AuditChainHead.objects.filter(pk=1).first()
    if head is None:
        return ChainReport(True, 0, "审计链为空")
    if head.head_mac != head_mac(key, head):
        return ChainReport(False, 0, "审计链头被篡改（链尾位置或锚点与校验值不符）")
    expected_seq, prev = head.anchor_seq + 1, head.anchor_mac
    checked = 0
    for event in AuditEvent.objects.filter(seq__isnull=False).order_by("seq").iterator(chunk_size=5000):
        if event.seq < expected_seq:
            continue
        where = f"第 {event.seq} 号事件（id={event.id}，{event.action}）"
        if event.seq != expected_seq:
            return ChainReport(
                False,
                checked,
                f"缺少第 {expected_seq} 号事件（可能被删除）；下一个是{where}",
                expected_seq,
                event.id,
            )
        if event.prev_mac != prev:
            return ChainReport(
                False, checked, f"{where}的前序校验值不符（事件被删除、插入或调换）", event.seq, event.id
            )
        if event.mac != mac_of(key, prev, canonical(event)):
            return ChainReport(
                False, checked, f"{where}的内容与校验值不符（事件被修改）", event.seq, event.id
            )
        prev, expected_seq, checked = event.mac, expected_seq + 1, checked + 1
    if expected_seq - 1 != head.last_seq or prev != head.last_mac:
        return ChainReport(
            False,
            checked,
            f"审计链在第 {expected_seq - 1} 号事件后中断：链头记录到第 {head.last_seq} 号（末尾事件被删除）",
            expected_seq,
            None,
        )
    return ChainReport(True, checked, f"审计链完整：共校验 {checked} 个事件")
