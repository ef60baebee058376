"""The personal-data key: PERSONAL_DATA_KEY from the environment, never from the database.

In demo and development mode a fixed development key is used when none is set, like the audit-chain key; a
production start without the key fails loudly rather than writing plaintext.
"""

from __future__ import annotations

import functools
import os

from django.conf import settings
from django.core import checks
from django.core.signals import setting_changed
from django.dispatch import receiver

from shuangsuiji.codes.sealing import Sealer, SealKey

DEV_KEY = "dev-only-personal-data-key-change-me"


def _configured(name: str) -> str:
    return os.environ.get(name) or getattr(settings, name, "") or ""


@functools.cache
def sealer() -> Sealer:
    secret = _configured("PERSONAL_DATA_KEY")
    development = settings.DEBUG or settings.DEMO_MODE
    if not secret or (secret == DEV_KEY and not development):
        if not development:
            raise RuntimeError(
                "生产环境必须设置环境变量 PERSONAL_DATA_KEY（个人信息加密密钥，不得存放在数据库中，"
                "不得使用开发密钥）"
            )
        secret = DEV_KEY
    old = [
        SealKey.from_secret(s.strip()) for s in _configured("PERSONAL_DATA_OLD_KEYS").split(",") if s.strip()
    ]
    return Sealer(SealKey.from_secret(secret), old)


@receiver(setting_changed)
def _forget_keys(*, setting: str, **kwargs: object) -> None:
    if setting in ("PERSONAL_DATA_KEY", "PERSONAL_DATA_OLD_KEYS", "DEBUG", "DEMO_MODE"):
        sealer.cache_clear()


@checks.register(checks.Tags.security)
def check_personal_data_key(app_configs: object = None, **kwargs: object) -> list[checks.CheckMessage]:
    """Outside development and demo mode, no key or the published development key is an error: the platform would
    otherwise seal ID numbers with a key everyone knows. `wsgi.py` refuses to serve on this error."""
    if settings.DEBUG or settings.DEMO_MODE:
        return []
    secret = _configured("PERSONAL_DATA_KEY")
    if secret and secret != DEV_KEY:
        return []
    return [
        checks.Error(
            "生产环境未设置 PERSONAL_DATA_KEY（或仍是开发密钥）：身份证号、手机号无法安全加密存储。",
            hint="设置至少 32 字节的随机值（例如 python -c 'import secrets; print(secrets.token_hex(32))'），"
            "并像 AUDIT_HMAC_KEY 一样保存在数据库之外。",
            id="shuangsuiji.E001",
        )
    ]
