"""The ``helhed`` command: ``helhed init``, ``helhed demo``, ``helhed manage ...``.

Later issues add ``helhed compute``, ``helhed audit verify`` and friends as
Django management commands; ``helhed <name>`` runs any of them directly.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helhed.settings")
    import django

    django.setup()


def _env_file() -> Path:
    from helhed.lib.env import env_str

    var_dir = Path(env_str("HELHED_VAR_DIR", str(Path.cwd() / "var")))
    return Path(env_str("HELHED_ENV_FILE", str(var_dir / "helhed.env")))


def cmd_init(debug: bool = False) -> int:
    """Write var/helhed.env with fresh secrets, unless it exists."""
    from helhed.lib.keys import write_env_file

    path = _env_file()
    extra = {"HELHED_DEBUG": "1"} if debug else None
    if write_env_file(path, extra):
        sys.stdout.write(f"Wrote new secrets to {path}\n")
    return 0


def cmd_demo(argv: list[str]) -> int:
    """Set up the database, generate the demo if it is empty, print logins, optionally serve."""
    parser = argparse.ArgumentParser(prog="helhed demo")
    parser.add_argument("--serve", action="store_true", help="Start the web server afterwards.")
    parser.add_argument("--port", default=os.environ.get("PORT", "8000"))
    args, rest = parser.parse_known_args(argv)
    cmd_init(debug=True)
    _setup_django()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    call_command("demo", *rest)
    if args.serve:
        call_command("runserver", f"127.0.0.1:{args.port}", use_reloader=False)
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in {"-h", "--help", "help"}:
        sys.stdout.write(
            "usage: helhed <command> [options]\n\n"
            "  init                write var/helhed.env with fresh secrets\n"
            "  demo [--serve]      migrate, generate the demo municipality, print logins\n"
            "  manage <command>    any Django management command\n"
            "  <command>           shorthand for `helhed manage <command>`\n"
        )
        return 0
    command, rest = argv[0], argv[1:]
    if command == "init":
        return cmd_init()
    if command == "demo":
        return cmd_demo(rest)
    if command == "manage":
        command, rest = (rest[0], rest[1:]) if rest else ("help", [])
    _setup_django()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["helhed", command, *rest])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
