"""Delivery of outbox events to the provincial platform (ADR 0020).

One pass takes the due events in id order, skipping any whose object still has an earlier event
undelivered (order per object). How a pass keeps two processes from sending the same event:

* PostgreSQL: events are taken a chunk at a time with `SELECT … FOR UPDATE SKIP LOCKED` and their row locks are held
  while they are sent and their outcomes written (one commit per chunk); a second process skips the locked rows
  (and, seeing those events still undelivered, their objects' later events). A process killed mid-chunk leaves the
  chunk pending: it is sent again, with the same Idempotency-Key.
* SQLite (one writer at a time): a pass first takes an exclusive lock file (OUTBOX_LOCK_FILE); a second process
  finds it taken and leaves. No database lock is held during the HTTP call, so the pages keep writing.
"""

from __future__ import annotations

import contextlib
import fcntl
import http.client
import json
import socket
import ssl
from collections import Counter
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

from cryptography.hazmat.primitives import hashes, hmac
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from .models import UNDELIVERED, OutboxEvent, OutboxState

SIGNATURE_HEADER = "X-SSJ-Signature"
ANSWER_MAX = 4000
# 4xx answers that mean "later", not "never": a timeout on their side, or too many requests.
TRANSIENT_4XX = {408, 425, 429}


@dataclass
class Outcome:
    state: str  # OutboxState.DELIVERED, REJECTED or FAILING
    status: int | None = None
    answer: str = ""
    error: str = ""


def event_body(event: OutboxEvent) -> bytes:
    """The JSON the province receives: the envelope and the public payload (canonical: sorted keys, UTF-8)."""
    doc = {
        "id": str(event.event_id),
        "type": event.type,
        "object": event.object_key,
        "version": event.version,
        "occurred_at": event.created_at.isoformat(),
        "data": event.payload,
    }
    return json.dumps(doc, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def sign(key: bytes, body: bytes) -> str:
    """HMAC-SM3 of the body (GB/T 32905 hash), hex; the header's value is `hmac-sm3=<hex>`."""
    mac = hmac.HMAC(key, hashes.SM3())
    mac.update(body)
    return "hmac-sm3=" + mac.finalize().hex()


def tls_context(client_cert: str = "", client_key: str = "", ca_file: str = "") -> ssl.SSLContext:
    """The TLS context of the https connector: the system's CAs (or the province's own, PROVINCE_CA_FILE), and the
    client certificate the province issued (PROVINCE_CLIENT_CERT, its key PROVINCE_CLIENT_KEY or in the same file).
    Read once, when the connector is made: a wrong path stops deliver_outbox at start with a Chinese message."""
    try:
        context = ssl.create_default_context(cafile=ca_file or None)
        if client_cert:
            context.load_cert_chain(client_cert, client_key or None)
    except (OSError, ssl.SSLError) as e:
        raise ValueError(
            f"无法读取省级平台的 TLS 证书（PROVINCE_CLIENT_CERT / PROVINCE_CLIENT_KEY / PROVINCE_CA_FILE）：{e}"
        ) from e
    return context


class HttpConnector:
    """POST each event as JSON to PROVINCE_ENDPOINT: 2xx delivered, 4xx rejected, the rest retried."""

    def __init__(
        self,
        endpoint: str,
        key: str,
        connect_timeout: float,
        read_timeout: float,
        *,
        client_cert: str = "",
        client_key: str = "",
        ca_file: str = "",
    ):
        parts = urlsplit(endpoint)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"PROVINCE_ENDPOINT 不是有效的 http(s) 地址：{endpoint!r}")
        if not key:
            raise ValueError("未设置 PROVINCE_KEY（与省级平台约定的签名密钥）")
        if (client_cert or ca_file) and parts.scheme != "https":
            raise ValueError("设置了客户端证书或 CA 证书，但 PROVINCE_ENDPOINT 不是 https 地址")
        self.context = tls_context(client_cert, client_key, ca_file) if parts.scheme == "https" else None
        self.parts, self.key = parts, key.encode("utf-8")
        self.connect_timeout, self.read_timeout = connect_timeout, read_timeout
        self._open: http.client.HTTPConnection | None = None  # kept alive between events of one pass

    def _connection(self) -> http.client.HTTPConnection:
        host, port = self.parts.hostname, self.parts.port
        if self.parts.scheme == "https":
            return http.client.HTTPSConnection(host, port, timeout=self.connect_timeout, context=self.context)
        return http.client.HTTPConnection(host, port, timeout=self.connect_timeout)

    def close(self) -> None:
        if self._open is not None:
            self._open.close()
            self._open = None

    def send(self, event: OutboxEvent) -> Outcome:
        """One POST. A kept-alive connection the server closed meanwhile is opened again once (same event, same
        Idempotency-Key); any other trouble is the event's outcome."""
        reused = self._open is not None
        outcome = self._post(event)
        if (
            reused
            and outcome.state == OutboxState.FAILING
            and outcome.status is None
            and "中断" in outcome.error
        ):
            outcome = self._post(event)
        return outcome

    def _post(self, event: OutboxEvent) -> Outcome:
        body = event_body(event)
        path = self.parts.path or "/"
        if self.parts.query:
            path += "?" + self.parts.query
        conn = self._open
        keep = False
        try:
            if conn is None:
                conn = self._connection()
                conn.connect()
                conn.sock.settimeout(self.read_timeout)
            conn.request(
                "POST",
                path,
                body=body,
                headers={
                    "Content-Type": "application/json; charset=utf-8",
                    "Idempotency-Key": str(event.event_id),
                    SIGNATURE_HEADER: sign(self.key, body),
                },
            )
            response = conn.getresponse()
            # Bounded: an answer beyond 64 KB is cut, and its connection not kept.
            answer = response.read(65536).decode("utf-8", errors="replace")[:ANSWER_MAX]
            keep = not response.will_close and response.isclosed()
        except TimeoutError:
            return Outcome(OutboxState.FAILING, error="省级平台未在规定时间内应答（超时）")
        except ConnectionRefusedError:
            return Outcome(OutboxState.FAILING, error="无法连接省级平台（连接被拒绝）")
        except (http.client.HTTPException, ConnectionError) as e:
            return Outcome(OutboxState.FAILING, error=f"省级平台连接中断：{type(e).__name__}")
        except (OSError, socket.gaierror) as e:
            return Outcome(OutboxState.FAILING, error=f"网络错误：{e}"[:500])
        finally:
            if keep:
                self._open = conn
            else:
                if conn is not None:
                    conn.close()
                self._open = None
        status = response.status
        if 200 <= status < 300:
            return Outcome(OutboxState.DELIVERED, status, answer)
        if 400 <= status < 500 and status not in TRANSIENT_4XX:
            return Outcome(OutboxState.REJECTED, status, answer)
        return Outcome(OutboxState.FAILING, status, answer, error=f"省级平台应答 HTTP {status}")


def connector_from_settings():
    kind = settings.PROVINCE_CONNECTOR
    if kind == "http":
        return HttpConnector(
            settings.PROVINCE_ENDPOINT,
            settings.PROVINCE_KEY,
            settings.PROVINCE_CONNECT_TIMEOUT,
            settings.PROVINCE_READ_TIMEOUT,
            client_cert=settings.PROVINCE_CLIENT_CERT,
            client_key=settings.PROVINCE_CLIENT_KEY,
            ca_file=settings.PROVINCE_CA_FILE,
        )
    if kind == "files":
        from .files import FilesConnector

        return FilesConnector()
    raise ValueError(f"未配置省级平台推送方式（PROVINCE_CONNECTOR={kind!r}，可选 http、files）")


def backoff(attempts: int) -> timedelta:
    """Exponential: base, 2·base, 4·base … capped at OUTBOX_RETRY_MAX_SECONDS."""
    base, cap = settings.OUTBOX_RETRY_BASE_SECONDS, settings.OUTBOX_RETRY_MAX_SECONDS
    return timedelta(seconds=min(cap, base * 2 ** min(max(attempts - 1, 0), 30)))


def due_events(now=None):
    """Undelivered events whose time has come and whose object has no earlier event undelivered, oldest first."""
    now = now or timezone.now()
    earlier = OutboxEvent.objects.filter(
        object_key=OuterRef("object_key"), id__lt=OuterRef("id"), state__in=UNDELIVERED
    )
    return (
        OutboxEvent.objects.filter(state__in=UNDELIVERED, next_attempt_at__lte=now)
        .filter(~Exists(earlier))
        .order_by("id")
    )


def _apply(event: OutboxEvent, outcome: Outcome) -> None:
    now = timezone.now()
    fields = {
        "state": outcome.state,
        "attempts": event.attempts + 1,
        "answer_status": outcome.status,
        "answer": outcome.answer,
        "last_error": outcome.error[:500],
    }
    if outcome.state == OutboxState.DELIVERED:
        fields["delivered_at"] = now
    if outcome.state == OutboxState.FAILING:
        fields["next_attempt_at"] = now + backoff(event.attempts + 1)
    # Conditional: an event already settled (by another process on SQLite without the lock file) stays settled.
    OutboxEvent.objects.filter(pk=event.pk, state__in=UNDELIVERED).update(**fields)


CHUNK = 25


def _send_locked(connector, candidates: list[OutboxEvent], *, stop_on_failing: bool) -> list[Outcome]:
    """PostgreSQL: lock a chunk of events (skipping those another process holds), check under the lock that each is
    still undelivered and due (PostgreSQL re-reads a row changed since the statement began), send them in id order,
    record each outcome, commit once for the chunk.

    One commit per chunk rather than per event: a process killed mid-chunk sends up to CHUNK events again, with the
    same Idempotency-Key (the province deduplicates), and a delivery of 10,000 events stops waiting on 10,000 commits.
    Their objects' earlier events need no second look: the batch was read while they were delivered already (an
    event in flight in another process is still undelivered in any snapshot, so its successors are not read)."""
    outcomes: list[Outcome] = []
    with transaction.atomic():
        events = list(
            OutboxEvent.objects.select_for_update(skip_locked=True)
            .filter(
                pk__in=[c.pk for c in candidates], state__in=UNDELIVERED, next_attempt_at__lte=timezone.now()
            )
            .order_by("id")
        )
        if not events:
            return outcomes
        with connection.cursor() as cursor:
            # The outcome needs no wait for the disk: lost in a crash, the event is only sent again, with the same
            # Idempotency-Key (the province deduplicates). The row locks still keep other processes off them.
            cursor.execute("SET LOCAL synchronous_commit TO OFF")
        for event in events:
            outcome = connector.send(event)
            _apply(event, outcome)
            outcomes.append(outcome)
            if outcome.state == OutboxState.FAILING and stop_on_failing:
                break
    return outcomes


def _send_single_writer(connector, event: OutboxEvent) -> Outcome | None:
    """SQLite, under the lock file (no other deliverer): no database lock is held while the HTTP call runs."""
    outcome = connector.send(event)
    with transaction.atomic():
        _apply(event, outcome)
    return outcome


@contextlib.contextmanager
def _single_writer_lock():
    path = Path(settings.OUTBOX_LOCK_FILE)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a") as f:
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


BATCH = 200


def deliver_pass(connector, *, limit: int = 0, keep_going: bool = False) -> Counter:
    """Deliver due events until none is left (or `limit` were tried). The first event that must be retried ends the
    pass (the platform is down or struggling: the next run tries again) unless `keep_going`.

    Candidates are read a batch at a time. A batch holds at most one event per object (the earliest undelivered), so
    sending it in id order keeps the order per object; each event is checked again when it is taken."""
    counts: Counter = Counter()
    skip_locked = connection.features.has_select_for_update_skip_locked and connection.vendor != "sqlite"
    with contextlib.ExitStack() as stack:
        if not skip_locked and not stack.enter_context(_single_writer_lock()):
            counts["busy"] += 1
            return counts
        while True:
            batch = list(due_events()[:BATCH])
            if not batch:
                return counts
            taken = 0
            step = CHUNK if skip_locked else 1
            for start in range(0, len(batch), step):
                chunk = batch[start : start + step]
                if limit:
                    room = limit - sum(counts.values())
                    if room <= 0:
                        return counts
                    chunk = chunk[:room]
                if skip_locked:
                    outcomes = _send_locked(connector, chunk, stop_on_failing=not keep_going)
                else:
                    one = _send_single_writer(connector, chunk[0])
                    outcomes = [one] if one is not None else []
                for outcome in outcomes:
                    taken += 1
                    counts[outcome.state] += 1
                    if outcome.state == OutboxState.FAILING and not keep_going:
                        return counts
            if not taken:
                # Every candidate is held by another process: leave them to it.
                return counts
