"""A client's idempotency key and the response its first request produced (for replay on a repeat)."""

import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone

# How long a key is remembered: a repeat after that is a new request (Stripe keeps keys for 24 hours, too).
KEY_TTL = datetime.timedelta(hours=24)
KEY_MAX_LENGTH = 100


class IdempotencyKeyQuerySet(models.QuerySet):
    def expired(self, now: datetime.datetime | None = None):
        return self.filter(created_at__lt=(now or timezone.now()) - KEY_TTL)

    def live(self, now: datetime.datetime | None = None):
        return self.filter(created_at__gte=(now or timezone.now()) - KEY_TTL)


class IdempotencyKey(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=KEY_MAX_LENGTH)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=500)
    # 0 only inside the first request's own transaction; other transactions see the row once it holds the response.
    response_status = models.PositiveSmallIntegerField(default=0)
    response_content_type = models.CharField(max_length=100, blank=True)
    response_body = models.TextField(blank=True)
    location = models.CharField(max_length=1000, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    objects = IdempotencyKeyQuerySet.as_manager()

    class Meta:
        verbose_name = "幂等键"
        verbose_name_plural = "幂等键"
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_unique_per_user")
        ]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.key} {self.method} {self.path} → {self.response_status}"
