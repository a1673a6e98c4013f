"""The JSON API under /api/, with its OpenAPI schema at /api/openapi.json."""

from __future__ import annotations

from ninja import NinjaAPI

from helhed.analytics.api import router as analytics_router
from helhed.api import errors
from helhed.api.auth import API_AUTH
from helhed.audit.api import router as audit_router
from helhed.citizens.api import consents_router
from helhed.citizens.api import router as citizens_router
from helhed.feedback.api import router as feedback_router
from helhed.forums.api import router as forums_router
from helhed.leadership.api import router as leadership_router
from helhed.organisation.api import router as organisation_router
from helhed.plans.api import router as plans_router
from helhed.results.api import router as results_router
from helhed.trials.api import router as trials_router

api = NinjaAPI(
    title="Helhed API",
    version="1",
    description=(
        "Cross-sector leadership for Danish municipalities. Authenticate with "
        "`Authorization: Bearer <token>` (see `helhed manage create_api_token`) or a "
        "browser session. Every endpoint applies the same access policy as the web."
    ),
    auth=API_AUTH,
    urls_namespace="api",
    openapi_url="/openapi.json",
    docs_url="/docs",
)
errors.install(api)
api.add_router("/", organisation_router)
api.add_router("/citizens", citizens_router)
api.add_router("/consents", consents_router)
api.add_router("/", plans_router)
api.add_router("/feedback", feedback_router)
api.add_router("/results", results_router)
api.add_router("/audit", audit_router)
api.add_router("/leadership", leadership_router)
api.add_router("/", forums_router)
api.add_router("/", trials_router)
api.add_router("/analytics", analytics_router)
