"""``helhed audit verify`` and ``rotate-key``: check the hash chain, retire old keys."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from helhed.audit import codes
from helhed.audit.chain import Verdict, key_id, verify
from helhed.audit.context import acting_as
from helhed.audit.trail import log


class Command(BaseCommand):
    help = (
        "Check the audit log: `verify` recomputes the whole hash chain; `rotate-key` "
        "retires every key but the first in HELHED_AUDIT_KEYS."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        sub.add_parser("verify", help="Recompute the hash chain and report the first broken link.")
        sub.add_parser(
            "rotate-key",
            help=(
                "Verify the chain, then record that the keys after the first in "
                "HELHED_AUDIT_KEYS sign no more entries."
            ),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "rotate-key":
            self.rotate_key()
            return
        verdict = _verified()
        self.stdout.write(
            f"Audit chain intact: {verdict.entries} entries, head {verdict.head_hash}"
        )
        for line in _keys_report(verdict):
            self.stdout.write(line)

    def rotate_key(self) -> None:
        """Append an ``audit.key_rotated`` entry, signed with the first key, retiring the others.

        The whole chain is verified first: a rotation written onto a broken
        chain would seem to vouch for it. Only keys that are configured and not
        yet retired are retired, so running it twice does nothing the second time.
        """
        verdict = _verified(refusing="not rotating the key")
        new_id = key_id(settings.AUDIT_KEYS[0])
        if new_id in verdict.retired:
            raise CommandError(
                f"The first key in HELHED_AUDIT_KEYS ({new_id}) was retired at entry "
                f"#{verdict.retired[new_id]}. Put a newly generated key first."
            )
        retiring = [
            kid
            for kid in dict.fromkeys(key_id(key) for key in settings.AUDIT_KEYS[1:])
            if kid != new_id and kid not in verdict.retired
        ]
        if not retiring:
            others = (
                "every other key in HELHED_AUDIT_KEYS is retired already"
                if len(settings.AUDIT_KEYS) > 1
                else "it is the only key"
            )
            raise CommandError(
                f"Nothing to rotate: key {new_id} signs new entries and {others}. To rotate, "
                "generate a key, put it first in HELHED_AUDIT_KEYS (keep the old keys after "
                "it), restart every Helhed process, then run this again."
            )
        if verdict.last_key in retiring:
            self.stderr.write(
                f"The newest entry (#{verdict.entries}) was signed with key {verdict.last_key}, "
                "which this retires: make sure every Helhed process (web server, workers, "
                "scheduled commands) runs with the new HELHED_AUDIT_KEYS, or its next entry "
                "will break the chain."
            )
        with acting_as(source="command:audit rotate-key"):
            entry = log(None, codes.KEY_ROTATED, detail={"key": new_id, "retired": retiring})
        it = "it" if len(retiring) == 1 else "them"
        self.stdout.write(
            f"Rotated the audit key: entry #{entry.seq}, signed with key {new_id}, retires "
            f"{_ids(retiring)}. From now on an entry signed with {it} fails `helhed audit "
            f"verify`. Keep {it} in HELHED_AUDIT_KEYS after the first key: the entries "
            f"{it} signed verify only with {it}."
        )


def _verified(refusing: str = "") -> Verdict:
    """The verdict on the whole chain; a ``CommandError`` (exit 1) naming the first broken link."""
    verdict = verify()
    if not verdict.ok:
        where = f" at entry #{verdict.broken_at}" if verdict.broken_at else ""
        then = f"; {refusing}" if refusing else ""
        raise CommandError(
            f"Audit chain BROKEN{where}: {verdict.problem}. "
            f"{verdict.entries} entries before it verified{then}."
        )
    return verdict


def _keys_report(verdict: Verdict) -> list[str]:
    """One line per key: the entries it signed and what it does now."""
    ids = list(dict.fromkeys([key_id(key) for key in settings.AUDIT_KEYS]))
    lines = []
    for position, kid in enumerate(ids):
        if kid in verdict.retired:
            role = f"retired at entry #{verdict.retired[kid]}"
            if position == 0:
                role += "; it must not sign: put a new key first"
        elif position == 0:
            role = "signs new entries"
        else:
            role = "not retired: run `helhed audit rotate-key`"
        lines.append(f"  key {kid}: {_entries(verdict.per_key.get(kid, 0))} ({role})")
    if verdict.without_key_id:
        lines.append(
            f"  {_entries(verdict.without_key_id)} from before entries recorded their key "
            "(each counted above under the key that verified it)"
        )
    return lines


def _entries(n: int) -> str:
    return f"{n} entry" if n == 1 else f"{n} entries"


def _ids(ids: list[str]) -> str:
    return ("key " if len(ids) == 1 else "keys ") + ", ".join(ids)
