"""Schemas shared by the API routers: errors, paging, safe text and bounded ids.

Every input is bounded here so that malformed requests end in a 4xx (never a database error): ids fit a bigint,
text carries no NUL character (PostgreSQL rejects it), page sizes are capped.
"""

import re
from typing import Annotated, Any

from django.db.models import QuerySet
from ninja import Field, Path, Schema
from pydantic import AfterValidator, StrictInt

MAX_ID = 2**63 - 1  # BigAutoField
MAX_PAGE_SIZE = 200


_SURROGATE = re.compile("[\ud800-\udfff]")


def _storable(value: str) -> str:
    if "\x00" in value:
        raise ValueError("不能包含空字符（\\x00）")
    if _SURROGATE.search(value):
        # A lone surrogate (JSON "\\ud800") is not a character at all: it cannot be stored as UTF-8.
        raise ValueError("含有无效的字符")
    return value


Text = Annotated[str, AfterValidator(_storable)]
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
PathId = Annotated[int, Path(ge=1, le=MAX_ID, description="编号")]
VersionPath = Annotated[int, Path(ge=1, le=2_147_483_647, description="版本号")]
# A reference to a department, region or risk class: its numeric id, or its name/code as typed in an import file.
Ref = StrictInt | Text


class ErrorOut(Schema):
    detail: str


class FieldErrorOut(Schema):
    field: str = Field(description="出错的字段（中文列名）")
    reason: str = Field(description="原因")


class ValidationErrorOut(Schema):
    detail: str
    errors: list[FieldErrorOut]


class Paging(Schema):
    page: int = Field(1, ge=1, le=MAX_ID, description="页码，从 1 开始")
    page_size: int = Field(50, ge=1, le=MAX_PAGE_SIZE, description=f"每页条数，最多 {MAX_PAGE_SIZE}")


def page_of(qs: QuerySet, paging: Paging) -> dict[str, Any]:
    count = qs.count()
    start = (paging.page - 1) * paging.page_size
    # Past the last page there is nothing to fetch (and a huge offset would overflow the database's integer).
    results = list(qs[start : start + paging.page_size]) if start < count else []
    return {"count": count, "page": paging.page, "page_size": paging.page_size, "results": results}


# Documented error responses, merged into each operation's `response=`.
READ_ERRORS: dict[int, Any] = {401: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut}
# 400: a body that is not JSON at all (see api.py); anything that parses but does not fit is a 422.
WRITE_ERRORS: dict[int, Any] = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    422: ValidationErrorOut,
}
