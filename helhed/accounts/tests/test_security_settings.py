"""Production security settings from the environment, and Django's deploy checks on them."""

from __future__ import annotations

import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

from django.test import RequestFactory, SimpleTestCase, override_settings

from helhed.audit.context import request_source
from helhed.lib.clients import client_address as client_ip

ROOT = Path(__file__).resolve().parents[3]
CPR_KEY = "eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHg="

# Deploy warnings we accept, each with the reason:
# - security.W021: HSTS preload is off by default. Preloading commits the whole
#   domain (often the municipality's own) to HTTPS in every browser, for good;
#   that is the operator's decision (HELHED_HSTS_PRELOAD=1), not a default.
ACCEPTED = {"security.W021"}


def production_env(**extra: str) -> dict[str, str]:
    """A production-like environment: no debug, HTTPS, a real host and strong keys."""
    env = {
        k: v
        for k, v in os.environ.items()
        # The browser tests set DJANGO_ALLOW_ASYNC_UNSAFE for their own process;
        # a production server never has it, and the deploy check rightly refuses it.
        if not k.startswith("HELHED_") and k != "DJANGO_ALLOW_ASYNC_UNSAFE"
    }
    env.update(
        HELHED_SECRET_KEY=secrets.token_urlsafe(50),
        HELHED_PSEUDONYM_KEY=secrets.token_urlsafe(32),
        HELHED_AUDIT_KEY=secrets.token_urlsafe(32),
        HELHED_CPR_KEYS=CPR_KEY,
        HELHED_VAR_DIR="/nonexistent",
        HELHED_ALLOWED_HOSTS="helhed.example.dk",
    )
    env.update(extra)
    return env


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, *args], env=env, cwd=ROOT, capture_output=True, text=True, check=False
    )


NAMES = [
    "DEBUG",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SECURE_PROXY_SSL_HEADER",
    "AXES_FAILURE_LIMIT",
    "HELHED_LOCKOUT_MINUTES",
    "HELHED_SESSION_IDLE_SECONDS",
    "HELHED_REQUIRE_2FA_FOR_STAFF",
]


def settings_under(**env: str) -> dict[str, object]:
    """The security settings a server started with this environment would have."""
    code = (
        "import json, helhed.settings as s; "
        f"print(json.dumps({{n: getattr(s, n, None) for n in {NAMES!r}}}))"
    )
    result = run(["-c", code], production_env(**env))
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


class DeployChecksTests(SimpleTestCase):
    def test_the_deploy_checks_find_nothing_that_matters_in_production(self) -> None:
        result = run(["manage.py", "check", "--deploy"], production_env())
        assert result.returncode == 0, result.stderr
        found = set(re.findall(r"\((security\.W\d+|axes\.W\d+)\)", result.stdout + result.stderr))
        assert found <= ACCEPTED, result.stdout + result.stderr

    def test_production_turns_on_https_redirect_and_a_year_of_hsts(self) -> None:
        values = settings_under()
        assert values["DEBUG"] is False
        assert values["SECURE_SSL_REDIRECT"] is True
        assert values["SECURE_HSTS_SECONDS"] == 365 * 24 * 60 * 60
        assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
        assert values["SECURE_HSTS_PRELOAD"] is False
        assert values["SESSION_COOKIE_SECURE"] is True
        assert values["CSRF_COOKIE_SECURE"] is True
        assert values["SECURE_PROXY_SSL_HEADER"] is None

    def test_the_environment_tunes_them(self) -> None:
        values = settings_under(
            HELHED_SSL_REDIRECT="0",
            HELHED_HSTS_SECONDS="600",
            HELHED_HSTS_INCLUDE_SUBDOMAINS="0",
            HELHED_BEHIND_PROXY="1",
            HELHED_LOGIN_FAILURES="7",
            HELHED_LOCKOUT_MINUTES="15",
            HELHED_SESSION_IDLE_SECONDS="900",
            HELHED_REQUIRE_2FA_FOR_STAFF="1",
        )
        assert values["SECURE_SSL_REDIRECT"] is False
        assert values["SECURE_HSTS_SECONDS"] == 600
        assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is False
        assert values["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
        assert values["AXES_FAILURE_LIMIT"] == 7
        assert values["HELHED_LOCKOUT_MINUTES"] == 15
        assert values["HELHED_SESSION_IDLE_SECONDS"] == 900
        assert values["HELHED_REQUIRE_2FA_FOR_STAFF"] is True

    def test_debug_and_plain_http_turn_redirect_and_hsts_off(self) -> None:
        for env in ({"HELHED_DEBUG": "1"}, {"HELHED_HTTPS": "0"}):
            values = settings_under(**env)
            assert values["SECURE_SSL_REDIRECT"] is False, env
            assert values["SECURE_HSTS_SECONDS"] == 0, env
            assert values["SESSION_COOKIE_SECURE"] is False, env

    def test_bad_values_stop_the_server_by_name(self) -> None:
        for name, value in (
            ("HELHED_LOGIN_FAILURES", "0"),
            ("HELHED_SESSION_IDLE_SECONDS", "10"),
            ("HELHED_HSTS_SECONDS", "a year"),
            ("HELHED_BEHIND_PROXY", "maybe"),
        ):
            result = run(["-c", "import helhed.settings"], production_env(**{name: value}))
            assert result.returncode != 0, name
            assert name in result.stderr, name


class ClientAddressTests(SimpleTestCase):
    def test_the_lockout_binds_to_the_direct_address(self) -> None:
        request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="1.2.3.4")
        assert client_ip(request) == "10.0.0.5"

    @override_settings(HELHED_BEHIND_PROXY=True)
    def test_behind_a_proxy_it_takes_the_address_the_proxy_saw(self) -> None:
        request = RequestFactory().get(
            "/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 192.0.2.7"
        )
        assert client_ip(request) == "192.0.2.7"

    @override_settings(HELHED_BEHIND_PROXY=True)
    def test_a_forwarded_value_that_is_no_address_is_not_trusted(self) -> None:
        request = RequestFactory().get(
            "/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4, <script>"
        )
        assert client_ip(request) == "10.0.0.1"

    def test_the_audit_log_names_the_same_address(self) -> None:
        request = RequestFactory().get("/api/citizens", REMOTE_ADDR="10.0.0.5")
        assert request_source(request) == "api 10.0.0.5"
        with override_settings(HELHED_BEHIND_PROXY=True):
            request = RequestFactory().get(
                "/citizens/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 192.0.2.7"
            )
            assert request_source(request) == "web 192.0.2.7"
