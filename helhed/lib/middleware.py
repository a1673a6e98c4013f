"""Reject input no page can use before it reaches a view or the database.

A NUL character in a query string or form is never meaningful here, and
PostgreSQL refuses it in text with an error that would surface as a 500 from
any search box, admin filter or autocomplete. One guard at the edge answers
400 for all of them.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest


class RejectNulBytesMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            "\x00" in request.path
            or _has_nul(request.GET)
            or (
                request.method == "POST"
                and request.content_type != "application/json"
                and _has_nul(request.POST)
            )
        ):
            return HttpResponseBadRequest("Input may not contain NUL characters.")
        return self.get_response(request)


def _has_nul(params: object) -> bool:
    lists = getattr(params, "lists", None)
    if lists is None:
        return False
    return any("\x00" in key or any("\x00" in v for v in values) for key, values in lists())
