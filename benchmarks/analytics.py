"""Analytics engine against pandas and the Django ORM: ``helhed bench`` from a scratch database.

The same code as ``helhed bench`` (``helhed.analytics.bench``), run like the
other scripts here: a scratch SQLite database unless ``HELHED_DATABASE_URL``
is set, throw-away keys, and the generated stores kept in ``var/bench``.
Arguments are the command's::

    python benchmarks/analytics.py --size aarhus
    python benchmarks/analytics.py --size national
    HELHED_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench python benchmarks/analytics.py

The last line is e.g.
``aarhus: engine 0.62 s, pandas 4.10 s, orm 31.0 s, vs pandas 6.6x, vs orm 50x``.
"""

from __future__ import annotations

import sys

from subtree import setup_django


def main() -> int:
    setup_django()
    from django.core.management import call_command
    from django.core.management.base import CommandError

    try:
        call_command("bench", *sys.argv[1:])
    except CommandError as exc:
        print(exc, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
