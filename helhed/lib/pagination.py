"""API pagination with bounded page numbers, and pages whose rows are logged as seen.

django-ninja's default accepts any integer page, and a page number beyond the
database's integer range reached the database as an OFFSET and failed with a
500 (SQLite "datatype mismatch", PostgreSQL "bigint out of range").
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, Generic, TypeVar

from django.db.models import Model, QuerySet
from django.http import HttpRequest
from ninja import Field, Schema
from ninja.pagination import PageNumberPagination

from helhed.audit import codes, trail

Row = TypeVar("Row", bound=Model)

MAX_PAGE = 1_000_000
MAX_PAGE_SIZE = 500


class BoundedPages(PageNumberPagination):
    class Input(Schema):
        page: int = Field(1, ge=1, le=MAX_PAGE)
        page_size: int | None = Field(None, ge=1, le=MAX_PAGE_SIZE)


class AuditedPages(BoundedPages):
    """Pages that name citizens: the citizens on the page served are logged as seen.

    Only the rows of the page, not the whole result, in one batch of audit
    entries (``trail.log_list``). ``citizens`` maps the page's rows to citizen
    ids, ``what`` names the list in the log, and a non-empty ``search``
    parameter makes the page a search result (``codes.SEARCH``).

    Use as ``@paginate(AuditedPages, page_size=50, what="api:citizens",
    citizens=lambda rows: [c.pk for c in rows], search="q")``.
    """

    def __init__(
        self,
        *,
        what: str,
        citizens: Callable[[list[Any]], Iterable[int | None]],
        search: str = "",
        **kwargs: Any,
    ) -> None:
        self.what = what
        self.citizens = citizens
        self.search = search
        super().__init__(**kwargs)

    def paginate_queryset(
        self, queryset: Any, pagination: Any, request: HttpRequest, **params: Any
    ) -> Any:
        page = super().paginate_queryset(queryset, pagination, request, **params)
        rows = list(page[self.items_attribute])
        page[self.items_attribute] = rows
        searched = bool(self.search and str(params.get(self.search) or "").strip())
        trail.log_list(
            request.user,
            self.citizens(rows),
            what=self.what,
            action=codes.SEARCH if searched else codes.LIST,
        )
        return page


class ShapedRows(Generic[Row]):
    """A queryset shown through ``shape`` only for the page sliced.

    Endpoints that hide small numbers return their rows through a function
    (``_measurement_out``, ``_cell_out``); wrapping the queryset keeps the
    pagination's COUNT and LIMIT in the database instead of shaping every row.
    """

    def __init__(self, rows: QuerySet[Row], shape: Callable[[Row], dict[str, Any]]) -> None:
        self.rows = rows
        self.shape = shape

    def __len__(self) -> int:
        return self.rows.count()

    def count(self) -> int:
        return self.rows.count()

    def __getitem__(self, index: slice) -> list[dict[str, Any]]:
        return [self.shape(row) for row in self.rows[index]]
