"""The hash chain: how an entry's hash is made, and how the whole log is verified.

Each hash is an HMAC-SHA256 over the previous entry's hash and the entry's own
fields in a fixed order, keyed with the first of ``settings.AUDIT_KEYS``
(``HELHED_AUDIT_KEYS``, kept outside the database like the CPR keys).
Changing any field of any row, removing a row or inserting one breaks the
chain from that row on; without a key nobody who can only write to the
database can compute a chain that passes.

Rotating the key. Each entry records in ``key_id`` which key signed it: a
short fingerprint (:func:`key_id`), never the key. A new key is put first in
``HELHED_AUDIT_KEYS`` with the old ones after it (they keep verifying the
entries they signed), and ``helhed audit rotate-key`` appends a
``audit.key_rotated`` entry, signed with the new key, that lists the retired
key ids in its (hashed) detail. From that entry on, verification refuses any
entry whose hash a retired key made: a stolen old key can no longer forge new
entries, even though it still has to be configured to verify the old ones.
Entries written before key ids existed have none and verify with whichever
configured key fits.

Why ``key_id`` is not inside the HMAC: the hashed fields stay exactly as they
were (``HASHED_FIELDS``), so chains written before rotation existed verify
unchanged and there is one hash format, not two. Nothing rests on the column
being honest: it only says which key to try. Changed to another key's id,
the hash does not verify under that key ("altered"); changed to an unknown
id, verification stops at that entry ("altered" if a configured key fits
after all, else "not in HELHED_AUDIT_KEYS"); emptied, the entry is verified
like an old one, by trying every configured key, and the retired-key rule is
applied to the key whose HMAC actually matched, not to the column. Hashing
it would have bought nothing more: an entry with an unknown key cannot be
checked either way. The fingerprint tells nothing the hashes themselves do
not: guessing a weak key is as easy from any entry's HMAC as from its id.

What rotation does not do: it cannot stop someone who holds an old key and
can write to the database from cutting the log back to before the rotation
entry and appending forgeries there. That is a removal of the newest entries,
caught like any other by comparing with a head hash kept outside the database.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings

from helhed.audit import codes

GENESIS = "0" * 64
# Fingerprints are made with this prefix, so that a key id is never a plain
# SHA-256 of a key that may be used elsewhere too.
KEY_ID_PREFIX = b"helhed audit key id\x00"


def key_id(key: str) -> str:
    """The public name of an audit key: 16 hex digits of a SHA-256 of a fixed prefix and the key."""
    return hashlib.sha256(KEY_ID_PREFIX + key.encode()).hexdigest()[:16]


def signing_key() -> tuple[str, str]:
    """The id and key that sign new entries: the first of ``HELHED_AUDIT_KEYS``."""
    key = settings.AUDIT_KEYS[0]
    return key_id(key), key


def entry_hash(prev_hash: str, fields: dict[str, Any], key: str | None = None) -> str:
    """The entry's HMAC, with ``key`` or else the key that signs new entries."""
    secret = (settings.AUDIT_KEYS[0] if key is None else key).encode()
    return hmac.new(secret, _payload(prev_hash, fields), hashlib.sha256).hexdigest()


# The fields an entry's hash covers, in this order. Adding one is a change of
# the chain's format: old entries would no longer verify.
HASHED_FIELDS = (
    "seq",
    "at",
    "actor_id",
    "actor",
    "actor_staff_id",
    "action",
    "citizen_id",
    "object_type",
    "object_id",
    "purpose",
    "source",
    "break_glass",
    "detail",
)


def _payload(prev_hash: str, fields: dict[str, Any]) -> bytes:
    return json.dumps(
        [prev_hash, *(_plain(fields[name]) for name in HASHED_FIELDS)],
        ensure_ascii=False,
        separators=(",", ":"),
        sort_keys=True,
    ).encode()


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        # Microseconds and UTC, whatever the database hands back.
        return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return value


class _Keyring:
    """The configured keys by id, each with its HMAC state prepared once."""

    def __init__(self, keys: Sequence[str]) -> None:
        self.ids = list(dict.fromkeys(key_id(key) for key in keys))
        self._macs = {key_id(key): hmac.new(key.encode(), digestmod=hashlib.sha256) for key in keys}
        # The key that verified the last entry without a key id, tried first
        # for the next one: old logs were written under one key at a time.
        self._last_fit = self.ids[0] if self.ids else ""

    def __contains__(self, kid: str) -> bool:
        return kid in self._macs

    def fits(self, kid: str, payload: bytes, expected: str) -> bool:
        mac = self._macs[kid].copy()
        mac.update(payload)
        return hmac.compare_digest(mac.hexdigest(), expected)

    def fitting(self, payload: bytes, expected: str) -> str | None:
        """The id of the configured key whose HMAC of ``payload`` is ``expected``, if any."""
        for kid in (self._last_fit, *self.ids):
            if kid in self and self.fits(kid, payload, expected):
                self._last_fit = kid
                return kid
        return None


@dataclass
class Verdict:
    entries: int
    head_hash: str
    broken_at: int | None = None
    problem: str = ""
    # Entries verified per key id (the key whose HMAC matched), in chain order.
    per_key: dict[str, int] = field(default_factory=dict)
    # Retired key id -> the number of the rotation entry that retired it.
    retired: dict[str, int] = field(default_factory=dict)
    # Entries written before entries recorded their key.
    without_key_id: int = 0
    # The id of the newest entry's key ("" for an empty log).
    last_key: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_at is None and not self.problem


def verify(batch_size: int = 5000) -> Verdict:
    """Recompute the chain from the first entry; report the first broken link."""
    from helhed.audit.models import AuditEntry, AuditHead

    keyring = _Keyring(settings.AUDIT_KEYS)
    head = AuditHead.objects.filter(pk=1).first()
    expected_prev = GENESIS
    expected_seq = 1
    count = 0
    per_key: Counter[str] = Counter()
    retired: dict[str, int] = {}
    without_key_id = 0
    last_key = ""

    def broken(seq: int | None, problem: str) -> Verdict:
        return Verdict(
            count, expected_prev, seq, problem, dict(per_key), retired, without_key_id, last_key
        )

    for row in _rows(AuditEntry, batch_size):
        seq = row["seq"]
        if seq != expected_seq:
            return broken(
                expected_seq, f"entry #{expected_seq} is missing (the next entry is #{seq})"
            )
        if row["prev_hash"] != expected_prev:
            return broken(seq, f"entry #{seq} does not follow its predecessor")
        payload = _payload(expected_prev, row)
        kid = row["key_id"]
        if kid is None:
            kid = keyring.fitting(payload, row["hash"])
            if kid is None:
                return broken(
                    seq,
                    f"entry #{seq} was altered after it was written, or the key that "
                    "signed it was removed from HELHED_AUDIT_KEYS (it records no key id, "
                    "and no configured key verifies it)",
                )
            without_key_id += 1
        elif kid not in keyring:
            if keyring.fitting(payload, row["hash"]) is not None:
                return broken(
                    seq, f"entry #{seq} was altered after it was written (its key id was changed)"
                )
            return broken(
                seq,
                f"entry #{seq} was signed with key {kid}, which is not in HELHED_AUDIT_KEYS "
                "(add that key after the first one to verify the log)",
            )
        elif not keyring.fits(kid, payload, row["hash"]):
            return broken(seq, f"entry #{seq} was altered after it was written")
        if kid in retired:
            return broken(
                seq,
                f"entry #{seq} is signed with a retired key {kid} (retired at entry "
                f"#{retired[kid]}): it was written after the rotation with an old key, "
                "by a process still running with the old HELHED_AUDIT_KEYS or a forger",
            )
        if row["action"] == codes.KEY_ROTATED:
            for old in _retired_by(row["detail"]):
                retired.setdefault(old, seq)
        per_key[kid] += 1
        last_key = kid
        expected_prev = row["hash"]
        expected_seq += 1
        count += 1
    if head is None or head.entries != count or head.last_hash != (expected_prev if count else ""):
        head_count = head.entries if head else 0
        if head_count > count:
            return broken(
                count + 1,
                f"the log ends at entry #{count} but the chain head records {head_count} entries",
            )
        return broken(None, "the chain head does not match the last entry")
    return Verdict(count, expected_prev, None, "", dict(per_key), retired, without_key_id, last_key)


def _retired_by(detail: Any) -> list[str]:
    """The key ids a rotation entry retires (its detail is covered by the hash)."""
    ids = detail.get("retired", []) if isinstance(detail, dict) else []
    return [kid for kid in ids if isinstance(kid, str)] if isinstance(ids, list) else []


def _rows(model: Any, batch_size: int) -> Iterator[dict[str, Any]]:
    """Every entry in chain order, in keyset-paginated batches (constant memory)."""
    last = 0
    columns = (*HASHED_FIELDS, "key_id", "prev_hash", "hash")
    while True:
        batch = list(
            model.objects.filter(seq__gt=last).order_by("seq").values(*columns)[:batch_size]
        )
        if not batch:
            return
        yield from batch
        last = batch[-1]["seq"]
