"""What the audit log costs: a page that logs its look-up against the same page without it.

The log is cheap enough never to be switched off only if a page that writes
an entry is barely slower than one that does not, and if writing stays as
cheap when the log is large. Builds a case worker with an engagement with
each of 200 children, then times

* baseline: the citizen page with the audit write replaced by a no-op;
* helhed: the same page, writing its chained, HMAC-keyed entry;

and prints both medians and the ratio; then the cost of one entry on an empty
log and on a log of 100,000 entries (the chain head makes it constant), and
how fast ``helhed audit verify`` checks the chain.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import time
from unittest import mock

from subtree import median_seconds, setup_django


def build(children: int) -> tuple[object, list[int]]:
    from django.contrib.auth.models import User

    from helhed.citizens import cpr
    from helhed.citizens.models import Citizen, Engagement
    from helhed.organisation.models import Municipality, Role, RoleAssignment, Staff, Unit, UnitType

    muni = Municipality.objects.get(code=230)
    unit = Unit.objects.create(
        name="Familieafdelingen",
        municipality=muni,
        unit_type=UnitType.objects.get(code="institution"),
        valid_from=dt.date(2020, 1, 1),
    )
    user = User.objects.create_user("bench")  # force_login: no password needed
    staff = Staff.objects.create(user=user, municipality=muni, first_name="Sara", last_name="Sand")
    RoleAssignment.objects.create(
        staff=staff, unit=unit, role=Role.objects.get(code="caseworker"), valid_from=unit.valid_from
    )
    rng = random.Random(7)
    ids = []
    for n in range(children):
        citizen = Citizen(first_name=f"Barn{n}", last_name="Bench", municipality=muni)
        born = dt.date(2012, 1, 1) + dt.timedelta(days=n)
        citizen.set_cpr(cpr.synthetic(born, "F", rng))
        citizen.save()
        Engagement.objects.create(citizen=citizen, staff=staff, kind="casework")
        ids.append(citizen.pk)
    return user, ids


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--children", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--log-size", type=int, default=100_000)
    args = parser.parse_args()
    setup_django()

    from django.test import Client
    from django.urls import reverse

    from helhed.audit import codes
    from helhed.audit.chain import verify
    from helhed.audit.models import AuditEntry
    from helhed.audit.trail import Entry, log, log_many

    user, ids = build(args.children)
    # The default SSL redirect and host check are for production; this is localhost.
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    urls = [reverse("citizens:detail", args=[pk]) for pk in ids]

    def pages() -> None:
        for url in urls:
            assert client.get(url, secure=True).status_code == 200

    before = AuditEntry.objects.count()
    helhed = median_seconds(pages, args.repeat)
    written = AuditEntry.objects.count() - before
    assert written >= len(urls) * args.repeat, written
    with mock.patch("helhed.audit.trail.log_many", return_value=[]):
        baseline = median_seconds(pages, args.repeat)
    per_page = (helhed - baseline) / len(urls) * 1000
    print(
        f"citizen page x{len(urls)}: without audit {baseline * 1000:.0f} ms, "
        f"with audit {helhed * 1000:.0f} ms, ratio {helhed / baseline:.2f}x "
        f"({per_page:.2f} ms per audited page)"
    )

    def one_entry() -> None:
        log(None, codes.VIEW, citizen_id=ids[0])

    small = median_seconds(one_entry, 200)
    started = time.perf_counter()
    batch = [Entry(action=codes.VIEW, citizen_id=ids[n % len(ids)]) for n in range(5_000)]
    for _ in range(args.log_size // len(batch)):
        log_many(batch)
    filled = time.perf_counter() - started
    large = median_seconds(one_entry, 200)
    print(
        f"one entry: {small * 1e6:.0f} µs on a log of {before + written} entries, "
        f"{large * 1e6:.0f} µs on a log of {AuditEntry.objects.count()} entries "
        f"(ratio {large / small:.2f}x); batches of 5,000: "
        f"{args.log_size / filled:,.0f} entries/s"
    )
    started = time.perf_counter()
    verdict = verify()
    seconds = time.perf_counter() - started
    assert verdict.ok, verdict.problem
    print(
        f"audit verify: {verdict.entries:,} entries in {seconds:.2f} s "
        f"({verdict.entries / seconds:,.0f} entries/s)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
