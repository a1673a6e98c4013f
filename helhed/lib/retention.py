"""Retention: how long each kind of record is kept, and the runner that erases what has passed it.

Each domain app registers its rules in its own ``retention.py``, imported
from its ``AppConfig.ready()`` (citizens, plans, feedback, api); this module
knows no domain model. A rule names the records it is about, the date its
period counts from, the period, what happens when the period has passed
(delete, or anonymise), and what the law requires to keep even so. The
periods are **defaults for the municipality's data protection officer to
set**: each rule's docstring-like ``legal_note`` gives the reasoning, and
``HELHED_RETENTION`` (a JSON object of rule code -> ``"5y"``/``"730d"``, parsed
in ``settings.py``) overrides them. ``helhed retention --rules`` prints the
table for the privacy documentation.

``helhed retention`` evaluates the rules as of a day: by default a dry run
that counts; ``--apply`` erases, one transaction per rule, and writes an
audit entry for every row it deletes (``ERASE``) or anonymises
(``ANONYMISE``), naming the citizen, the object and the rule. The generic
CREATE/CHANGE/DELETE tracking is paused while a rule runs (see ``_apply``)
so that each row is logged once, with the reason it went.

The audit log itself is never deleted by this runner, and no rule may be
registered for it: its entries form one hash chain (removing any breaks
``helhed audit verify`` for everything after it), and the law requires the
log of who saw and changed personal data to be kept so that the citizen's
right of access and the municipality's supervision can be met after the data
are gone. How long the log is kept is a separate decision (archiving a closed
segment of the chain with its head hash), not a rule here.
"""

from __future__ import annotations

import copy
import datetime as dt
import operator
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import reduce
from typing import Any, ClassVar, Literal, Protocol

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError, models, router, transaction
from django.db.models import Exists, ForeignObjectRel, ManyToManyRel, OuterRef, Q, QuerySet
from django.db.models.deletion import Collector
from django.utils import timezone
from django.utils.functional import Promise

from helhed.audit import codes, tracking
from helhed.audit.context import acting_as
from helhed.audit.trail import Entry, log_many
from helhed.lib.periods import Period, parse_period
from helhed.lib.validity import today as local_today

# Who the entries name: the system, running the retention command.
SOURCE = "command:retention"
# Records handled (and audit entries written) per batch inside a rule's transaction.
BATCH_SIZE = 200

Text = str | Promise


@dataclass(frozen=True)
class AsOf:
    """The day the rules are evaluated for, and the day a rule's period reaches back to.

    A record is past its period when the date it counts from lies before
    ``cutoff``: a plan closed exactly five years ago today is kept until tomorrow.
    """

    today: dt.date
    cutoff: dt.date


class Action(Protocol):
    """What happens to a record past its period; returns the audit entries for what it did."""

    @property
    def kind(self) -> Literal["delete", "anonymise"]: ...

    @property
    def log_each(self) -> bool: ...

    def __call__(self, rule: RetentionRule, records: Sequence[Any]) -> list[Entry]: ...


@dataclass(frozen=True)
class RetentionRule:
    code: str
    # The records, in the plural ("closed plans"), for the table and the command's lines.
    label: Text
    model: type[models.Model]
    # A date or datetime field of ``model``, or an annotation from ``annotate``.
    counts_from: str
    # In words, for the table: "the day the plan was closed".
    since: Text
    # The default period; None means "the longest period of the other rules".
    period: Period | None
    action: Action
    # The records the rule is about (the rest of the model is not its concern).
    records: Callable[[], QuerySet[Any]] | None = None
    annotate: Callable[[], dict[str, Any]] | None = None
    # Records past their period that the law requires to keep, as a filter.
    keep: Callable[[AsOf], Q] | None = None
    kept_when: Text = ""
    legal_note: Text = ""
    # Rules run in this order: a rule whose records others hold on to runs later.
    order: int = 50


@dataclass(frozen=True)
class Part:
    """Records that have no rule of their own: they go with ``of``'s records (a cascade)."""

    model: type[models.Model]
    of: str
    note: Text = ""


REGISTRY: dict[str, RetentionRule] = {}
PARTS: list[Part] = []


def register(rule: RetentionRule) -> RetentionRule:
    """Add a rule; a second rule with the same code is a programming error."""
    if rule.code in REGISTRY and REGISTRY[rule.code] != rule:
        raise ValueError(f"Retention rule {rule.code!r} is registered twice")
    if rule.model._meta.app_label == "audit":
        raise ValueError("The audit log is never erased by a retention rule (see the docstring)")
    REGISTRY[rule.code] = rule
    return rule


def register_part(model: type[models.Model], *, of: str, note: Text = "") -> Part:
    part = Part(model, of, note)
    if part not in PARTS:
        PARTS.append(part)
    return part


def rules() -> list[RetentionRule]:
    """The registered rules in the order they run (deletions before anonymisation)."""
    return sorted(REGISTRY.values(), key=lambda rule: (rule.order, rule.code))


# --------------------------------------------------------------------------- periods


def overrides() -> dict[str, Period]:
    """``settings.HELHED_RETENTION``, checked against the registered codes."""
    raw: dict[str, Period | str] = getattr(settings, "HELHED_RETENTION", {}) or {}
    unknown = sorted(set(raw) - set(REGISTRY))
    if unknown:
        raise ImproperlyConfigured(
            f"HELHED_RETENTION names unknown retention rules: {', '.join(unknown)}. "
            "`helhed retention --rules` lists the codes."
        )
    result: dict[str, Period] = {}
    for code, value in raw.items():
        try:
            result[code] = value if isinstance(value, Period) else parse_period(value)
        except ValueError as exc:
            raise ImproperlyConfigured(f"HELHED_RETENTION: {code}: {exc}") from exc
    return result


def period_of(rule: RetentionRule, on: dt.date | None = None) -> Period:
    """The rule's period: the setting, else the default, else the longest of the other rules."""
    configured = overrides()
    if rule.code in configured:
        return configured[rule.code]
    if rule.period is not None:
        return rule.period
    on = on or local_today()
    others = [
        configured.get(other.code, other.period)
        for other in REGISTRY.values()
        if other.code != rule.code
    ]
    periods = [period for period in others if period is not None]
    if not periods:
        raise ImproperlyConfigured(f"Retention rule {rule.code!r} has no period to follow")
    return min(periods, key=lambda period: period.before(on))


def as_of(rule: RetentionRule, on: dt.date) -> AsOf:
    return AsOf(today=on, cutoff=period_of(rule, on).before(on))


# --------------------------------------------------------------------------- evaluation


def due(rule: RetentionRule, when: AsOf) -> QuerySet[Any]:
    """The rule's records whose period has passed, kept or not."""
    records = rule.records() if rule.records else rule.model._default_manager.all()
    if rule.annotate:
        records = records.annotate(**rule.annotate())
    bound: dt.date | dt.datetime = when.cutoff
    if isinstance(_output_field(records, rule.counts_from), models.DateTimeField):
        # Midnight where the municipality is: the same day boundary as a date field.
        bound = timezone.make_aware(dt.datetime.combine(when.cutoff, dt.time.min))
    return records.filter(**{f"{rule.counts_from}__lt": bound})


def kept(rule: RetentionRule, when: AsOf) -> QuerySet[Any]:
    """Records past their period that the law requires to keep."""
    if rule.keep is None:
        return rule.model._default_manager.none()
    return due(rule, when).filter(rule.keep(when))


def erasable(rule: RetentionRule, when: AsOf) -> QuerySet[Any]:
    """Records past their period and not kept: what ``--apply`` erases or anonymises."""
    records = due(rule, when)
    if rule.keep is None:
        return records
    # By key rather than ``exclude(keep)``: a NULL inside a negated condition
    # would silently drop rows from both sides.
    return records.exclude(pk__in=kept(rule, when).values("pk"))


def _output_field(records: QuerySet[Any], name: str) -> Any:
    annotation = records.query.annotations.get(name)
    if annotation is not None:
        return annotation.output_field
    return records.model._meta.get_field(name)


@dataclass
class Outcome:
    """What one rule found (and, applied, did) as of a day."""

    rule: RetentionRule
    period: Period
    when: AsOf
    erasable: int
    kept: int
    done: int = 0
    entries: int = 0
    error: str = ""


def evaluate(rule: RetentionRule, on: dt.date) -> Outcome:
    when = as_of(rule, on)
    return Outcome(
        rule=rule,
        period=period_of(rule, on),
        when=when,
        erasable=erasable(rule, when).count(),
        kept=kept(rule, when).count(),
    )


def run(
    on: dt.date,
    *,
    apply: bool = False,
    progress: Callable[[Outcome], None] | None = None,
) -> list[Outcome]:
    """Evaluate every rule as of ``on``; with ``apply``, erase too, one transaction per rule.

    A rule that fails (a record another table still protects, say) is rolled
    back and reported in its outcome; the other rules still run.
    """
    if apply and on > local_today():
        # Applying "as of" a later day would erase records before their period ends.
        raise ValueError("Retention can be applied only as of today or an earlier day")
    overrides()  # fail before anything is counted or changed
    outcomes = []
    for rule in rules():
        outcome = evaluate(rule, on)
        if apply and outcome.erasable:
            try:
                _apply(rule, outcome)
            except DatabaseError as exc:
                outcome.error = f"{type(exc).__name__}: {exc}"
        outcomes.append(outcome)
        if progress is not None:
            progress(outcome)
    return outcomes


def _apply(rule: RetentionRule, outcome: Outcome) -> None:
    """Erase the rule's records in one transaction, logging each as it goes.

    The generic tracking is paused inside: it would log each row again as a
    plain DELETE or CHANGE (twice the entries, and for rows removed by a
    cascade often without the citizen, whose links may already be gone). The
    actions here name the citizens before anything is removed and write one
    ERASE or ANONYMISE entry per row with the rule's code, in batches, in the
    same transaction, so the chain holds exactly one entry per erased row.
    """
    with acting_as(None, source="system", purpose="retention"), transaction.atomic():
        pks = list(erasable(rule, outcome.when).order_by("pk").values_list("pk", flat=True))
        manager = rule.model._default_manager
        if not rule.action.log_each:
            with tracking.paused():
                for chunk in _chunks(pks, BATCH_SIZE * 10):
                    manager.filter(pk__in=chunk).delete()
            log_many(
                [
                    entry(
                        codes.ERASE,
                        detail={
                            "rule": rule.code,
                            "model": rule.model._meta.label_lower,
                            "count": len(pks),
                        },
                    )
                ]
            )
            outcome.done, outcome.entries = len(pks), 1
            return
        for chunk in _chunks(pks, BATCH_SIZE):
            records = list(manager.filter(pk__in=chunk).order_by("pk"))
            with tracking.paused():
                entries = rule.action(rule, records)
            log_many(entries)
            outcome.done += len(records)
            outcome.entries += len(entries)


def _chunks(items: list[Any], size: int) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def referred_to(
    model: type[models.Model],
    *,
    where: Callable[[ForeignObjectRel], bool] | None = None,
    outer: str = "pk",
) -> Q:
    """Rows of ``model`` that a row of another table points at (through ``where``'s relations).

    Read from the model's relations, not listed by hand, so that a table added
    later counts without anyone having to remember the retention rules. A
    many-to-many relation counts through the foreign key of its link table.
    ``outer`` names the key in the query this condition goes into (for a
    query over another table that points at ``model``).
    """
    conditions = []
    for relation in model._meta.get_fields(include_hidden=True):
        if not isinstance(relation, ForeignObjectRel) or isinstance(relation, ManyToManyRel):
            continue
        if where is not None and not where(relation):
            continue
        rows = relation.field.model._base_manager.filter(**{relation.field.name: OuterRef(outer)})
        conditions.append(Q(Exists(rows)))
    return reduce(operator.or_, conditions, Q(pk__in=[]))


# --------------------------------------------------------------------------- actions


def entry(
    action: str,
    obj: models.Model | None = None,
    *,
    citizen_id: int | None = None,
    detail: dict[str, Any] | None = None,
) -> Entry:
    """An audit entry written by retention: by the system, from the retention command.

    The entry holds a copy of the row: deleting the row clears the instance's
    key, and the entry is written after the deletion (same transaction).
    """
    return Entry(
        action=action,
        obj=copy.copy(obj) if obj is not None else None,
        citizen_id=citizen_id,
        source=SOURCE,
        detail=detail or {},
    )


def entries_for(action: str, obj: models.Model, detail: dict[str, Any]) -> list[Entry]:
    """One entry per citizen the row is about (as the tracking would name them), or one without."""
    citizen_ids: list[int | None] = list(tracking.citizens_of(obj)) or [None]
    return [entry(action, obj, citizen_id=pk, detail=detail) for pk in citizen_ids]


@dataclass(frozen=True)
class Delete:
    """Delete each record, what the database deletes with it, and the records ``along`` adds.

    ``log_each=False`` is for technical records about no citizen (expired
    sessions, old login attempts): thousands of rows a day, so the run writes
    one ERASE entry with the count instead of one per row.
    """

    along: Callable[[Any], Iterable[models.Model]] | None = None
    log_each: bool = True
    kind: ClassVar[Literal["delete", "anonymise"]] = "delete"

    def __call__(self, rule: RetentionRule, records: Sequence[Any]) -> list[Entry]:
        entries: list[Entry] = []
        for record in records:
            collector = Collector(using=router.db_for_write(type(record)), origin=record)
            collector.collect([record])
            for other in self.along(record) if self.along else ():
                collector.collect([other])
            root = (record._meta.label_lower, record.pk)
            removed: Counter[str] = Counter()
            with_root = f"{root[0]}:{root[1]}"
            children: list[Entry] = []
            for model, instances in collector.data.items():
                label = model._meta.label_lower
                for instance in instances:
                    if (label, instance.pk) == root:
                        continue
                    removed[label] += 1
                    if type(instance) in tracking.TRACKED:
                        children += entries_for(
                            codes.ERASE, instance, {"rule": rule.code, "with": with_root}
                        )
            for query in collector.fast_deletes:
                count = query.count()
                if count:
                    removed[query.model._meta.label_lower] += count
            detail: dict[str, Any] = {"rule": rule.code}
            if removed:
                detail["removed"] = dict(sorted(removed.items()))
            entries += entries_for(codes.ERASE, record, detail)
            entries += children
            collector.delete()
        return entries


@dataclass(frozen=True)
class Anonymise:
    """Anonymise each record in place with ``change``, which returns its audit entries."""

    change: Callable[[Any, RetentionRule], list[Entry]]
    log_each: bool = True
    kind: ClassVar[Literal["delete", "anonymise"]] = "anonymise"

    def __call__(self, rule: RetentionRule, records: Sequence[Any]) -> list[Entry]:
        entries: list[Entry] = []
        for record in records:
            entries += self.change(record, rule)
        return entries


# --------------------------------------------------------------------------- checks


@checks.register()
def check_retention_setting(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """A period for a rule that does not exist is a typo that would silently keep data."""
    try:
        overrides()
    except ImproperlyConfigured as exc:
        return [checks.Error(str(exc), id="helhed.E101")]
    return []
