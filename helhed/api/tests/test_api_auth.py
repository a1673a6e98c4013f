"""API authentication: bearer tokens, sessions, the schema and the token command."""

from __future__ import annotations

import json
from io import StringIO
from typing import TYPE_CHECKING, Any

from django.core.management import CommandError, call_command
from django.utils import timezone

from helhed.api.models import ApiToken, hash_token
from helhed.organisation.models import Staff
from helhed.test import BaseTestCase

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse


class ApiTestCase(BaseTestCase):
    """Calls the API as a named user with a bearer token."""

    def token_for(self, staff: Staff) -> str:
        assert staff.user is not None
        return ApiToken.issue(staff.user, "test")[1]

    def api(
        self, method: str, path: str, as_: Staff | None = None, body: Any = None, **extra: Any
    ) -> TestResponse:
        headers = {"accept-language": "en"}
        if as_ is not None:
            headers["authorization"] = f"Bearer {self.token_for(as_)}"
        call = getattr(self.client, method)
        if body is not None and not isinstance(body, str):
            body = json.dumps(body)
        if body is not None:
            return call(path, body, content_type="application/json", headers=headers, **extra)
        return call(path, headers=headers, **extra)


class SchemaTests(ApiTestCase):
    def test_the_openapi_schema_is_json_with_units_and_citizens(self) -> None:
        response = self.client.get("/api/openapi.json")
        assert response.status_code == 200
        schema = json.loads(response.content)
        assert schema["openapi"].startswith("3.")
        paths = schema["paths"]
        for path in (
            "/api/units",
            "/api/units/{unit_id}",
            "/api/citizens",
            "/api/citizens/{citizen_id}",
        ):
            assert path in paths, path
        assert "post" in paths["/api/citizens"]
        assert "post" in paths["/api/units"]

    def test_the_schema_documents_bearer_auth(self) -> None:
        schema = json.loads(self.client.get("/api/openapi.json").content)
        schemes = schema["components"]["securitySchemes"]
        assert any(s.get("scheme") == "bearer" for s in schemes.values())

    def test_the_docs_render(self) -> None:
        response = self.client.get("/api/docs")
        assert response.status_code == 200
        self.assertContains(response, "openapi.json")


class TokenAuthTests(ApiTestCase):
    def test_without_credentials_every_endpoint_answers_401(self) -> None:
        for path in (
            "/api/units",
            f"/api/units/{self.school.pk}",
            "/api/staff",
            "/api/municipalities",
            "/api/citizens",
            f"/api/citizens/{self.alma.pk}",
        ):
            with self.subTest(path=path):
                assert self.client.get(path).status_code == 401
        assert self.api("post", "/api/citizens", body={}).status_code == 401
        assert self.api("post", "/api/units", body={}).status_code == 401

    def test_a_bearer_token_works(self) -> None:
        response = self.api("get", "/api/citizens", as_=self.caseworker)
        assert response.status_code == 200
        assert [c["id"] for c in response.json()["items"]] == [self.alma.pk]

    def test_a_wrong_token_answers_401(self) -> None:
        for header in ("Bearer hlh_not-a-token", "Bearer ", "Token abc", "hlh_abc"):
            with self.subTest(header=header):
                response = self.client.get("/api/citizens", headers={"authorization": header})
                assert response.status_code == 401

    def test_a_revoked_token_answers_401(self) -> None:
        assert self.caseworker.user is not None
        token, clear = ApiToken.issue(self.caseworker.user, "revoked")
        auth = {"authorization": f"Bearer {clear}"}
        assert self.client.get("/api/citizens", headers=auth).status_code == 200
        token.revoked_at = timezone.now()
        token.save()
        assert self.client.get("/api/citizens", headers=auth).status_code == 401

    def test_a_token_of_a_deactivated_user_answers_401(self) -> None:
        user = self.caseworker.user
        assert user is not None
        _token, clear = ApiToken.issue(user, "gone")
        user.is_active = False
        user.save()
        response = self.client.get("/api/citizens", headers={"authorization": f"Bearer {clear}"})
        assert response.status_code == 401

    def test_using_a_token_records_when(self) -> None:
        assert self.caseworker.user is not None
        token, clear = ApiToken.issue(self.caseworker.user, "touch")
        assert token.last_used_at is None
        before = timezone.now()
        self.client.get("/api/units", headers={"authorization": f"Bearer {clear}"})
        token.refresh_from_db()
        assert token.last_used_at is not None
        assert token.last_used_at >= before

    def test_only_a_hash_of_the_token_is_stored(self) -> None:
        assert self.caseworker.user is not None
        token, clear = ApiToken.issue(self.caseworker.user, "hash")
        assert clear.startswith("hlh_")
        assert token.token_hash == hash_token(clear)
        assert not ApiToken.objects.filter(token_hash=clear).exists()

    def test_a_token_acts_as_its_user(self) -> None:
        response = self.api("get", "/api/citizens", as_=self.outsider)
        assert response.json() == {"items": [], "count": 0}


class SessionAuthTests(ApiTestCase):
    def test_a_session_works_for_reading(self) -> None:
        self.login(self.caseworker)
        response = self.client.get("/api/citizens")
        assert response.status_code == 200
        assert [c["id"] for c in response.json()["items"]] == [self.alma.pk]

    def test_a_session_post_needs_the_csrf_token(self) -> None:
        self.client.handler.enforce_csrf_checks = True
        self.login(self.caseworker)
        response = self.client.post("/api/citizens", "{}", content_type="application/json")
        assert response.status_code in (401, 403)


class CreateApiTokenCommandTests(ApiTestCase):
    def test_it_prints_a_token_that_works_against_the_api(self) -> None:
        out = StringIO()
        call_command("create_api_token", "caseworker", "--name=script", stdout=out)
        clear = out.getvalue().strip()
        assert "\n" not in clear
        response = self.client.get("/api/citizens", headers={"authorization": f"Bearer {clear}"})
        assert response.status_code == 200
        assert [c["id"] for c in response.json()["items"]] == [self.alma.pk]
        token = ApiToken.objects.get(token_hash=hash_token(clear))
        assert token.name == "script"
        assert token.user == self.caseworker.user

    def test_it_refuses_an_unknown_user(self) -> None:
        with self.assertRaises(CommandError):
            call_command("create_api_token", "nobody", stdout=StringIO())
        assert not ApiToken.objects.exists()
