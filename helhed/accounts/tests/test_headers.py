"""Security headers on every page, and pages that keep working under the CSP."""

from __future__ import annotations

import re
from pathlib import Path

import vl_convert
from django.test import override_settings

from helhed.accounts.tests.util import LOGIN_URL, AccountsTestCase, password_form

HELHED = Path(__file__).resolve().parents[2]


def directives(header: str) -> dict[str, str]:
    parts = (part.strip().split(" ", 1) for part in header.split(";") if part.strip())
    return {name: (rest[0] if rest else "") for name, *rest in parts}


class HeaderTests(AccountsTestCase):
    def test_pages_carry_the_content_security_policy(self) -> None:
        csp = directives(self.client.get(LOGIN_URL)["Content-Security-Policy"])
        self.assertEqual(csp["default-src"], "'self'")
        self.assertEqual(csp["script-src"], "'self'")
        self.assertEqual(csp["style-src"], "'self'")
        self.assertEqual(csp["img-src"], "'self' data:")
        self.assertEqual(csp["frame-ancestors"], "'none'")
        self.assertEqual(csp["form-action"], "'self'")
        self.assertEqual(csp["object-src"], "'none'")

    def test_pages_refuse_frames_sniffing_and_leaking_referrers(self) -> None:
        self.login(self.caseworker)
        response = self.client.get("/citizens/")
        self.assertEqual(response["X-Frame-Options"], "DENY")
        self.assertEqual(response["X-Content-Type-Options"], "nosniff")
        self.assertEqual(response["Referrer-Policy"], "same-origin")
        self.assertEqual(response["Cross-Origin-Opener-Policy"], "same-origin")
        self.assertIn("Content-Security-Policy", response)

    def test_the_lockout_page_and_the_api_carry_them_too(self) -> None:
        for _n in range(5):
            response = self.client.post(LOGIN_URL, password_form("caseworker", "wrong"))
        self.assertEqual(response.status_code, 429)
        self.assertIn("Content-Security-Policy", response)
        self.assertEqual(response["X-Frame-Options"], "DENY")
        self.assertIn("Content-Security-Policy", self.client.get("/api/openapi.json"))

    @override_settings(SECURE_HSTS_SECONDS=31536000, SECURE_HSTS_INCLUDE_SUBDOMAINS=True)
    def test_https_responses_carry_hsts_for_a_year(self) -> None:
        response = self.client.get(LOGIN_URL, secure=True)
        self.assertEqual(
            response["Strict-Transport-Security"], "max-age=31536000; includeSubDomains"
        )
        self.assertNotIn("Strict-Transport-Security", self.client.get(LOGIN_URL))

    @override_settings(SECURE_SSL_REDIRECT=True)
    def test_plain_http_is_sent_to_https(self) -> None:
        response = self.client.get(LOGIN_URL)
        self.assertRedirects(
            response,
            f"https://testserver{LOGIN_URL}",
            status_code=301,
            fetch_redirect_response=False,
        )

    def test_the_api_docs_load_swagger_from_our_own_static_files(self) -> None:
        self.login(self.caseworker)
        html = self.client.get("/api/docs").content.decode()
        self.assertIn("/static/ninja/swagger-ui-bundle.js", html)
        self.assertNotIn("cdn.", html)
        self.assertEqual(inline_scripts(html), [])


def inline_scripts(html: str) -> list[str]:
    """Script elements the CSP would block: with code, without src, not a JSON data block."""
    found = []
    for attrs, body in re.findall(r"<script\b([^>]*)>(.*?)</script>", html, re.S | re.I):
        if "src=" in attrs or "application/json" in attrs:
            continue
        if body.strip():
            found.append(body.strip()[:80])
    return found


# What script-src 'self' and style-src 'self' refuse in markup.
BLOCKED = [
    (re.compile(r"\son[a-z]+\s*=", re.I), "event handler attribute"),
    (re.compile(r"\shx-on[:-]", re.I), "hx-on attribute (needs eval)"),
    (re.compile(r"\sstyle\s*=", re.I), "style attribute"),
    (re.compile(r"<style\b", re.I), "style element"),
    (re.compile(r"javascript:", re.I), "javascript: URL"),
]


class TemplatesKeepToThePolicyTests(AccountsTestCase):
    def test_no_template_has_inline_script_or_style(self) -> None:
        problems = []
        for path in sorted(HELHED.rglob("templates/**/*.html")):
            text = path.read_text(encoding="utf-8")
            for pattern, what in BLOCKED:
                if pattern.search(text):
                    problems.append(f"{path.relative_to(HELHED)}: {what}")
            problems += [
                f"{path.relative_to(HELHED)}: inline script" for _s in inline_scripts(text)
            ]
        self.assertEqual(problems, [])

    def test_server_rendered_charts_carry_no_inline_style(self) -> None:
        # Pages embed Vega-Lite charts as SVG drawn by vl-convert (results,
        # feedback): a legend, dashes and axis titles, as those charts have.
        spec = {
            "data": {
                "values": [
                    {"p": "2024", "v": 1, "s": "Value"},
                    {"p": "2025", "v": 2, "s": "Target"},
                ]
            },
            "mark": {"type": "line", "point": True},
            "encoding": {
                "x": {"field": "p", "type": "nominal", "title": "Period"},
                "y": {"field": "v", "type": "quantitative", "title": "Pupils"},
                "color": {"field": "s", "type": "nominal", "legend": {"orient": "bottom"}},
                "strokeDash": {"field": "s", "type": "nominal"},
            },
        }
        svg = vl_convert.vegalite_to_svg(spec)
        for pattern, what in BLOCKED:
            self.assertIsNone(pattern.search(svg), what)
