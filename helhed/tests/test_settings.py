"""Settings read from the environment: defaults and clear errors."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_settings(**env: str) -> subprocess.CompletedProcess[str]:
    """Import settings in a fresh interpreter with exactly these variables."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("HELHED_")}
    clean.update(
        HELHED_SECRET_KEY="s",
        HELHED_PSEUDONYM_KEY="p",
        HELHED_AUDIT_KEY="a",
        HELHED_VAR_DIR="/nonexistent",
        **env,
    )
    clean.setdefault("HELHED_CPR_KEYS", "eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHg=")
    code = "import helhed.settings as s; print(s.DATABASES['default']['ENGINE'])"
    return subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", code],
        env=clean,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )


def test_an_empty_database_url_falls_back_to_sqlite() -> None:
    result = run_settings(HELHED_DATABASE_URL="")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "django.db.backends.sqlite3"


def test_a_bad_boolean_names_the_variable() -> None:
    result = run_settings(HELHED_DEBUG="maybe")
    assert result.returncode != 0
    assert "HELHED_DEBUG" in result.stderr


def test_a_missing_secret_outside_tests_names_the_variable() -> None:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("HELHED_")}
    clean["HELHED_VAR_DIR"] = "/nonexistent"
    result = subprocess.run(
        [sys.executable, "-c", "import helhed.settings"],
        env=clean,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "HELHED_SECRET_KEY is not set" in result.stderr


def test_a_fit_flag_below_two_ratings_is_refused_by_name() -> None:
    result = run_settings(HELHED_FIT_NOT_IMPROVING_AFTER="1")
    assert result.returncode != 0
    assert "HELHED_FIT_NOT_IMPROVING_AFTER" in result.stderr
    assert run_settings(HELHED_FIT_NOT_IMPROVING_AFTER="4").returncode == 0
