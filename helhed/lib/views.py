"""Small helpers for function views."""

from __future__ import annotations

from django.http import HttpRequest


def query_without_page(request: HttpRequest, page: str = "page") -> str:
    """Return the request's query string without the page number, for pagination links.

    The links add their own ``page``; a list with two paginated tables names
    the parameter of the one the links are for.
    """
    params = request.GET.copy()
    params.pop(page, None)
    return params.urlencode()


# Enough for any primary key: 18 digits stay below the largest 64-bit integer.
MAX_ID_DIGITS = 18


def parse_id(raw: str) -> int | None:
    """Return the positive id a query parameter holds, or None when it holds none.

    ASCII digits only ("²" passes ``str.isdigit()`` but not ``int()``), and
    few enough to fit the database's integer: a tampered link is ignored or a
    404, never a 500.
    """
    if raw.isascii() and raw.isdigit() and len(raw) <= MAX_ID_DIGITS:
        return int(raw) or None
    return None
