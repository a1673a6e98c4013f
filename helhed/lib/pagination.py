"""API pagination with bounded page numbers.

django-ninja's default accepts any integer page, and a page number beyond the
database's integer range reached the database as an OFFSET and failed with a
500 (SQLite "datatype mismatch", PostgreSQL "bigint out of range").
"""

from __future__ import annotations

from ninja import Field, Schema
from ninja.pagination import PageNumberPagination

MAX_PAGE = 1_000_000
MAX_PAGE_SIZE = 500


class BoundedPages(PageNumberPagination):
    class Input(Schema):
        page: int = Field(1, ge=1, le=MAX_PAGE)
        page_size: int | None = Field(None, ge=1, le=MAX_PAGE_SIZE)
