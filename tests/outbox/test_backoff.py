"""Retries back off exponentially up to a cap; an event can only be written inside a service's transaction; the
connector refuses a configuration it cannot use, in Chinese."""

import datetime

import pytest

from shuangsuiji.outbox import delivery
from shuangsuiji.outbox.services import outbox_emit


def test_retries_wait_twice_as_long_each_time_up_to_the_cap(settings):
    settings.OUTBOX_RETRY_BASE_SECONDS, settings.OUTBOX_RETRY_MAX_SECONDS = 60, 3600
    waits = [delivery.backoff(n).total_seconds() for n in range(1, 10)]
    assert waits == [60, 120, 240, 480, 960, 1920, 3600, 3600, 3600]
    assert delivery.backoff(10_000) == datetime.timedelta(hours=1)


@pytest.mark.django_db(transaction=True)
def test_an_event_is_refused_outside_a_transaction():
    with pytest.raises(RuntimeError, match="transaction"):
        outbox_emit("transfer.closed", object())


def test_the_connector_names_what_is_missing(settings):
    settings.PROVINCE_CONNECTOR = ""
    with pytest.raises(ValueError, match="未配置省级平台推送方式"):
        delivery.connector_from_settings()
    settings.PROVINCE_CONNECTOR, settings.PROVINCE_ENDPOINT, settings.PROVINCE_KEY = "http", "ftp://x", "k"
    with pytest.raises(ValueError, match="不是有效的"):
        delivery.connector_from_settings()
    settings.PROVINCE_ENDPOINT, settings.PROVINCE_KEY = "https://province.example/ssj", ""
    with pytest.raises(ValueError, match="PROVINCE_KEY"):
        delivery.connector_from_settings()


def test_the_signature_is_hmac_sm3_of_the_exact_body():
    a = delivery.sign(b"key", '{"名称":1}'.encode())
    assert a.startswith("hmac-sm3=") and len(a) == len("hmac-sm3=") + 64
    assert a != delivery.sign(b"key", b"{}") and a != delivery.sign(b"other", '{"名称":1}'.encode())
