"""The request's client address, made available to services without threading `request` through them."""

from contextvars import ContextVar

current_ip: ContextVar[str | None] = ContextVar("current_ip", default=None)
