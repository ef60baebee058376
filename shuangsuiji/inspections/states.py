"""Allowed transitions of records and transfers, in one table each, checked on the server."""

from shuangsuiji.planning.states import TransitionError, check_transition

from .models import RecordStatus, TransferStatus

RECORD_TRANSITIONS: dict[tuple[str, str], str] = {
    (RecordStatus.DRAFT, RecordStatus.SUBMITTED): "提交审核",
    (RecordStatus.RETURNED, RecordStatus.SUBMITTED): "重新提交",
    (RecordStatus.SUBMITTED, RecordStatus.PUBLISHED): "审核通过并公示",
    (RecordStatus.SUBMITTED, RecordStatus.WITHHELD): "批准不予公示",
    (RecordStatus.SUBMITTED, RecordStatus.RETURNED): "退回",
    (RecordStatus.PUBLISHED, RecordStatus.SUPERSEDED): "被更正版本取代",
    (RecordStatus.WITHHELD, RecordStatus.SUPERSEDED): "被更正版本取代",
}

TRANSFER_TRANSITIONS: dict[tuple[str, str], str] = {
    (TransferStatus.SENT, TransferStatus.ACKNOWLEDGED): "接收",
    (TransferStatus.ACKNOWLEDGED, TransferStatus.CLOSED): "办结",
}

__all__ = ["RECORD_TRANSITIONS", "TRANSFER_TRANSITIONS", "TransitionError", "check_transition"]
