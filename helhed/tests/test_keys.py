"""``helhed init``'s env file: fresh secrets once, and new secrets added to an old file."""

from __future__ import annotations

from pathlib import Path

from helhed.lib.keys import add_missing_secrets, generate_secrets, write_env_file


def read(path: Path) -> dict[str, str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return dict(line.split("=", 1) for line in lines if "=" in line and not line.startswith("#"))


def test_it_writes_every_secret_once_and_keeps_them(tmp_path: Path) -> None:
    path = tmp_path / "helhed.env"
    assert write_env_file(path, {"HELHED_DEBUG": "1"})
    first = read(path)
    assert set(generate_secrets()) <= set(first)
    assert first["HELHED_DEBUG"] == "1"
    assert not write_env_file(path)
    assert read(path) == first
    assert path.stat().st_mode & 0o777 == 0o600


def test_an_old_file_gets_the_audit_key_and_keeps_its_own_keys(tmp_path: Path) -> None:
    path = tmp_path / "helhed.env"
    path.write_text("HELHED_SECRET_KEY=old\nHELHED_CPR_KEYS=cpr\nHELHED_PSEUDONYM_KEY=p", "utf-8")
    assert add_missing_secrets(path) == ["HELHED_AUDIT_KEY"]
    values = read(path)
    assert values["HELHED_SECRET_KEY"] == "old"
    assert values["HELHED_CPR_KEYS"] == "cpr"
    assert len(values["HELHED_AUDIT_KEY"]) > 30
    assert add_missing_secrets(path) == []
