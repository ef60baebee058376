"""Password policy (等保 2.0 level 3): at least 8 characters of 3 of 4 classes, none of the last 5 reused,
expiry after 90 days. Settings: PASSWORD_MIN_CLASSES, PASSWORD_HISTORY, PASSWORD_MAX_AGE_DAYS (docs/security.md)."""

import string

from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError


class MinimumLengthValidator:
    """Django's own says it in English (its zh-hans catalogue lacks the 5.x wording)."""

    def __init__(self, min_length: int = 8):
        self.min_length = min_length

    def validate(self, password, user=None):
        if len(password) < self.min_length:
            raise ValidationError(
                f"密码至少 {self.min_length} 个字符，实为 {len(password)} 个", code="too_short"
            )

    def get_help_text(self):
        return f"密码至少 {self.min_length} 个字符。"


class UsernameValidator:
    """A password must not contain the account's username (checked case-insensitively)."""

    def validate(self, password, user=None):
        username = (getattr(user, "username", "") or "").lower()
        if len(username) >= 3 and username in password.lower():
            raise ValidationError("密码不能包含用户名", code="username")

    def get_help_text(self):
        return "密码不能包含用户名。"


class CharacterClassesValidator:
    def __init__(self, min_classes: int | None = None):
        self.min_classes = min_classes or getattr(settings, "PASSWORD_MIN_CLASSES", 3)

    def validate(self, password, user=None):
        classes = [
            any(c in string.ascii_uppercase for c in password),
            any(c in string.ascii_lowercase for c in password),
            any(c in string.digits for c in password),
            any(not c.isalnum() for c in password),
        ]
        if sum(classes) < self.min_classes:
            raise ValidationError(
                f"密码须包含大写字母、小写字母、数字、符号中的至少 {self.min_classes} 类", code="classes"
            )

    def get_help_text(self):
        return f"密码须包含大写字母、小写字母、数字、符号中的至少 {self.min_classes} 类。"


class HistoryValidator:
    def __init__(self, history: int | None = None):
        self.history = history or getattr(settings, "PASSWORD_HISTORY", 5)

    def validate(self, password, user=None):
        if user is None or not user.pk:
            return
        # The history holds the current hash too (password_changed adds it); look at `history` entries of it
        # besides the current one, so that exactly the last `history` distinct passwords are refused.
        previous = [user.password, *user.password_history.values_list("password", flat=True)[: self.history]]
        if any(p and check_password(password, p) for p in previous):
            raise ValidationError(f"不能使用最近 {self.history} 次用过的密码", code="reused")

    def get_help_text(self):
        return f"不能使用最近 {self.history} 次用过的密码。"

    def password_changed(self, password, user=None):
        # Called by Django after set_password + save: keep the new hash for future comparisons.
        from django.utils import timezone

        from .models import PasswordHistory, User

        if user is None or not user.pk:
            return
        PasswordHistory.objects.create(user=user, password=user.password)
        User.objects.filter(pk=user.pk).update(password_changed_at=timezone.now(), must_change_password=False)
        stale = user.password_history.values_list("pk", flat=True)[self.history :]
        PasswordHistory.objects.filter(pk__in=list(stale)).delete()
