"""Reject input no page can use before it reaches a view or the database.

A NUL character in a query string or form is never meaningful here, and
PostgreSQL refuses it in text with an error that would surface as a 500 from
any search box, admin filter or autocomplete. One guard at the edge answers
400 for all of them. JSON bodies are not form data and reach the API's
schemas, which refuse NUL with ``NO_NUL_PATTERN`` (422).
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, QueryDict

# For string fields of API schemas: any text without a NUL character.
NO_NUL_PATTERN = r"^[^\x00]*$"


class RejectNulBytesMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.content_type == "multipart/form-data":
            # Keep the raw body readable after request.POST is parsed: the API
            # reads it itself and would otherwise fail with a 500.
            request.body  # noqa: B018
        # request.POST is empty for GET requests and for JSON bodies.
        if "\x00" in request.path or _has_nul(request.GET) or _has_nul(request.POST):
            return HttpResponseBadRequest("Input may not contain NUL characters.")
        return self.get_response(request)


def _has_nul(params: QueryDict) -> bool:
    return any("\x00" in key or any("\x00" in v for v in values) for key, values in params.lists())
