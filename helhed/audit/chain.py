"""The hash chain: how an entry's hash is made, and how the whole log is verified.

Each hash is an HMAC-SHA256, keyed with ``settings.AUDIT_KEY`` (kept outside
the database, like the CPR keys), over the previous entry's hash and the
entry's own fields in a fixed order. Changing any field of any row, removing
a row or inserting one breaks the chain from that row on; without the key
nobody who can only write to the database can compute a chain that passes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.conf import settings

GENESIS = "0" * 64


def entry_hash(prev_hash: str, fields: dict[str, Any]) -> str:
    payload = json.dumps(
        [prev_hash, *(_plain(fields[name]) for name in HASHED_FIELDS)],
        ensure_ascii=False,
        separators=(",", ":"),
        sort_keys=True,
    )
    key = settings.AUDIT_KEY.encode()
    return hmac.new(key, payload.encode(), hashlib.sha256).hexdigest()


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


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        # Microseconds and UTC, whatever the database hands back.
        return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return value


@dataclass
class Verdict:
    entries: int
    head_hash: str
    broken_at: int | None = None
    problem: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_at is None and not self.problem


def verify(batch_size: int = 5000) -> Verdict:
    """Recompute the chain from the first entry; report the first broken link."""
    from helhed.audit.models import AuditEntry, AuditHead

    head = AuditHead.objects.filter(pk=1).first()
    expected_prev = GENESIS
    expected_seq = 1
    count = 0
    for row in _rows(AuditEntry, batch_size):
        fields = {name: row[name] for name in HASHED_FIELDS}
        if row["seq"] != expected_seq:
            return Verdict(
                count,
                expected_prev,
                expected_seq,
                f"entry #{expected_seq} is missing (the next entry is #{row['seq']})",
            )
        if row["prev_hash"] != expected_prev:
            return Verdict(
                count,
                expected_prev,
                row["seq"],
                f"entry #{row['seq']} does not follow its predecessor",
            )
        if not hmac.compare_digest(entry_hash(expected_prev, fields), row["hash"]):
            return Verdict(
                count,
                expected_prev,
                row["seq"],
                f"entry #{row['seq']} was altered after it was written",
            )
        expected_prev = row["hash"]
        expected_seq += 1
        count += 1
    if head is None or head.entries != count or head.last_hash != (expected_prev if count else ""):
        head_count = head.entries if head else 0
        if head_count > count:
            return Verdict(
                count,
                expected_prev,
                count + 1,
                f"the log ends at entry #{count} but the chain head records {head_count} entries",
            )
        return Verdict(count, expected_prev, None, "the chain head does not match the last entry")
    return Verdict(count, expected_prev)


def _rows(model: Any, batch_size: int) -> Iterator[dict[str, Any]]:
    """Every entry in chain order, in keyset-paginated batches (constant memory)."""
    last = 0
    columns = (*HASHED_FIELDS, "prev_hash", "hash")
    while True:
        batch = list(
            model.objects.filter(seq__gt=last).order_by("seq").values(*columns)[:batch_size]
        )
        if not batch:
            return
        yield from batch
        last = batch[-1]["seq"]
