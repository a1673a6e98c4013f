"""Import the organisation from OS2mo, the municipal organisation model, over GraphQL.

Three parts:

* ``OS2moClient``: a small GraphQL client on ``urllib`` (no new dependency).
  It POSTs JSON to ``<url>/graphql/v22``, authenticates with a static bearer
  token or a Keycloak client-credentials token (fetched once, renewed before
  it expires), and follows OS2mo's cursor pagination until ``next_cursor`` is
  null; OS2mo may return short or even empty pages before the end.
* ``map_snapshot``: turns OS2mo's org units, employees, engagements and
  managers into the same rows the CSV reader produces, through a configurable
  ``OS2moMapping`` from OS2mo's classes (unit types, manager types, job
  functions) to Helhed's code lists.
* ``import_os2mo``: fetch everything first, then hand the rows to the shared
  apply step; a network or GraphQL error therefore raises before anything is
  written.

OS2mo splits an object's history into *validities* whenever an attribute
changes. A unit's validities become one row: its name and type as of today,
its first start and last end, and the history of its parents, which Helhed
replays as reorganisations for a unit it does not have yet.
"""

from __future__ import annotations

import datetime as dt
import json
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

from django.utils.translation import gettext as _

from helhed.lib.validity import today
from helhed.organisation.importers.apply import Progress, apply_rows
from helhed.organisation.importers.rows import (
    ImportResult,
    Placement,
    RowError,
    StaffRow,
    UnitRow,
)
from helhed.organisation.models import Municipality, Role, UnitType

JSON = dict[str, Any]
Log = Callable[[str], None]

DEFAULT_GRAPHQL_PATH = "/graphql/v22"
# Keycloak as OS2mo ships it: realm "mo", served under the OS2mo host.
DEFAULT_TOKEN_PATH = "/auth/realms/mo/protocol/openid-connect/token"  # noqa: S105 - a path
# Renew the token this long before Keycloak says it expires (default lifetime 300 s).
TOKEN_MARGIN_SECONDS = 30
MAX_PAGES = 10_000
ONE_DAY = dt.timedelta(days=1)


class OS2moError(Exception):
    """OS2mo or Keycloak could not be reached or answered with an error."""


# Queries ---------------------------------------------------------------------
# ``from_date: null, to_date: null`` asks for all of history, not only today.

ORG_UNITS_QUERY = """
query HelhedOrgUnits($limit: int, $cursor: Cursor) {
  org_units(limit: $limit, cursor: $cursor, filter: {from_date: null, to_date: null}) {
    objects {
      uuid
      validities {
        uuid
        name
        user_key
        parent { uuid }
        unit_type { user_key name }
        org_unit_level { user_key name }
        validity { from to }
      }
    }
    page_info { next_cursor }
  }
}
"""

EMPLOYEES_QUERY = """
query HelhedEmployees($limit: int, $cursor: Cursor) {
  employees(limit: $limit, cursor: $cursor, filter: {from_date: null, to_date: null}) {
    objects {
      uuid
      validities {
        uuid
        given_name
        surname
        user_key
        addresses { value address_type { scope user_key } }
        validity { from to }
      }
    }
    page_info { next_cursor }
  }
}
"""

ENGAGEMENTS_QUERY = """
query HelhedEngagements($limit: int, $cursor: Cursor) {
  engagements(limit: $limit, cursor: $cursor, filter: {from_date: null, to_date: null}) {
    objects {
      uuid
      validities {
        uuid
        user_key
        person { uuid }
        org_unit { uuid }
        job_function { user_key name }
        validity { from to }
      }
    }
    page_info { next_cursor }
  }
}
"""

MANAGERS_QUERY = """
query HelhedManagers($limit: int, $cursor: Cursor) {
  managers(limit: $limit, cursor: $cursor, filter: {from_date: null, to_date: null}) {
    objects {
      uuid
      validities {
        uuid
        user_key
        person { uuid }
        org_unit { uuid }
        manager_type { user_key name }
        manager_level { user_key name }
        validity { from to }
      }
    }
    page_info { next_cursor }
  }
}
"""


# Client ----------------------------------------------------------------------


@dataclass(frozen=True)
class OS2moConfig:
    """Where OS2mo is and how to log in: a static token, or a Keycloak client."""

    url: str
    graphql_path: str = DEFAULT_GRAPHQL_PATH
    token: str | None = None
    client_id: str | None = None
    client_secret: str | None = None
    token_url: str | None = None
    page_size: int = 100
    timeout: float = 60.0

    @property
    def graphql_url(self) -> str:
        return self.url.rstrip("/") + "/" + self.graphql_path.lstrip("/")

    @property
    def keycloak_url(self) -> str:
        return self.token_url or self.url.rstrip("/") + DEFAULT_TOKEN_PATH

    def check(self) -> None:
        """Refuse a configuration that cannot work, before any request is made."""
        for url in (self.graphql_url, self.keycloak_url):
            if urllib.parse.urlsplit(url).scheme not in {"http", "https"}:
                raise OS2moError(_("The OS2mo URL must start with https:// or http://: %s") % url)
        if self.token and (self.client_id or self.client_secret):
            raise OS2moError(_("Give either an OS2mo token or a client id and secret, not both."))
        if not self.token and not (self.client_id and self.client_secret):
            raise OS2moError(
                _("OS2mo needs a token, or a Keycloak client id and secret to get one.")
            )
        if self.page_size < 1:
            raise OS2moError(_("The OS2mo page size must be at least 1."))


class OS2moClient:
    """POST GraphQL queries to OS2mo with a bearer token; follow its cursors."""

    def __init__(self, config: OS2moConfig, clock: Callable[[], float] = time.monotonic) -> None:
        config.check()
        self.config = config
        self.clock = clock
        self._token: str | None = config.token
        self._expires_at = float("inf") if config.token else 0.0

    def _post(self, url: str, body: bytes, headers: Mapping[str, str]) -> bytes:
        # OS2moConfig.check allows only http and https, never file: or others.
        request = urllib.request.Request(  # noqa: S310
            url, data=body, headers=dict(headers), method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=self.config.timeout) as response:  # noqa: S310
                payload: bytes = response.read()
                return payload
        except urllib.error.HTTPError as exc:
            detail = exc.read()[:300].decode("utf-8", "replace").strip()
            raise OS2moError(
                _("%(url)s answered HTTP %(status)s %(reason)s. %(detail)s")
                % {"url": url, "status": exc.code, "reason": exc.reason, "detail": detail}
            ) from exc
        except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
            reason = getattr(exc, "reason", exc)
            raise OS2moError(
                _("Could not reach %(url)s: %(reason)s") % {"url": url, "reason": reason}
            ) from exc

    def _bearer(self) -> str:
        """The token to send: the static one, or a Keycloak token renewed before it expires."""
        if self._token and self.clock() < self._expires_at:
            return self._token
        form = urllib.parse.urlencode(
            {
                "grant_type": "client_credentials",
                "client_id": self.config.client_id or "",
                "client_secret": self.config.client_secret or "",
            }
        ).encode()
        raw = self._post(
            self.config.keycloak_url,
            form,
            {"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"},
        )
        try:
            answer = json.loads(raw)
            token = answer["access_token"]
            lifetime = float(answer.get("expires_in", 300))
        except (ValueError, KeyError, TypeError) as exc:
            raise OS2moError(
                _("Keycloak at %(url)s did not return an access token.")
                % {"url": self.config.keycloak_url}
            ) from exc
        self._token = str(token)
        self._expires_at = self.clock() + lifetime - TOKEN_MARGIN_SECONDS
        return self._token

    def query(self, query: str, variables: JSON | None = None) -> JSON:
        """Run one query; return its ``data``, or raise with OS2mo's own error messages."""
        body = {"query": query, "variables": variables or {}}
        name = _operation_name(query)
        if name:
            body["operationName"] = name
        raw = self._post(
            self.config.graphql_url,
            json.dumps(body).encode(),
            {
                "Content-Type": "application/json",
                "Accept": "application/json",
                "Authorization": f"Bearer {self._bearer()}",
            },
        )
        try:
            answer = json.loads(raw)
        except ValueError as exc:
            raise OS2moError(
                _("OS2mo at %(url)s did not answer with JSON.") % {"url": self.config.graphql_url}
            ) from exc
        if not isinstance(answer, dict):
            raise OS2moError(_("OS2mo answered with something other than a GraphQL response."))
        if answer.get("errors"):
            messages = "; ".join(
                str(error.get("message", error)) if isinstance(error, dict) else str(error)
                for error in answer["errors"]
            )
            raise OS2moError(
                _("OS2mo refused the query %(name)s: %(messages)s")
                % {"name": name or "?", "messages": messages}
            )
        data = answer.get("data")
        if not isinstance(data, dict):
            raise OS2moError(_("OS2mo's answer to %(name)s has no data.") % {"name": name or "?"})
        return data

    def paginate(self, query: str, collection: str) -> Iterator[JSON]:
        """Every object of a paged collection, page by page until ``next_cursor`` is null."""
        cursor: str | None = None
        seen: set[str] = set()
        for _page in range(MAX_PAGES):
            data = self.query(query, {"limit": self.config.page_size, "cursor": cursor})
            try:
                page = data[collection]
                objects = page["objects"]
                cursor = page["page_info"]["next_cursor"]
            except (KeyError, TypeError) as exc:
                raise OS2moError(
                    _("OS2mo's answer has no %(collection)s page.") % {"collection": collection}
                ) from exc
            yield from objects
            if cursor is None:
                return
            if cursor in seen:
                raise OS2moError(_("OS2mo returned the same page cursor twice."))
            seen.add(cursor)
        raise OS2moError(_("OS2mo kept returning pages; stopped after %d.") % MAX_PAGES)


def _operation_name(query: str) -> str | None:
    words = query.split()
    if len(words) >= 2 and words[0] == "query":
        return words[1].split("(")[0]
    return None


@dataclass
class OS2moSnapshot:
    """Everything fetched from OS2mo, as OS2mo shaped it."""

    org_units: list[JSON] = field(default_factory=list)
    employees: list[JSON] = field(default_factory=list)
    engagements: list[JSON] = field(default_factory=list)
    managers: list[JSON] = field(default_factory=list)


def fetch(client: OS2moClient, *, staff: bool = True, log: Log | None = None) -> OS2moSnapshot:
    """Fetch the organisation (and unless ``staff`` is false, its people) from OS2mo."""
    snapshot = OS2moSnapshot()
    plan: list[tuple[str, str, list[JSON]]] = [(ORG_UNITS_QUERY, "org_units", snapshot.org_units)]
    if staff:
        plan += [
            (EMPLOYEES_QUERY, "employees", snapshot.employees),
            (ENGAGEMENTS_QUERY, "engagements", snapshot.engagements),
            (MANAGERS_QUERY, "managers", snapshot.managers),
        ]
    for query, collection, into in plan:
        into.extend(client.paginate(query, collection))
        if log is not None:
            log(
                _("Fetched %(count)d %(collection)s")
                % {"count": len(into), "collection": collection}
            )
    return snapshot


# Mapping ---------------------------------------------------------------------

UnitTypeTarget = tuple[str, str | None]

# OS2mo's classes are the municipality's own, so these are common Danish names
# only; anything else must be mapped on purpose (see docs/import-formats.md).
DEFAULT_UNIT_TYPES: dict[str, UnitTypeTarget] = {
    "kommune": ("municipality", None),
    "forvaltning": ("administration", None),
    "direktørområde": ("administration", None),
    "område": ("area", None),
    "fagområde": ("area", None),
    "distrikt": ("area", None),
    "institution": ("institution", None),
    "skole": ("institution", "school"),
    "folkeskole": ("institution", "school"),
    "dagtilbud": ("institution", "daycare"),
    "daginstitution": ("institution", "daycare"),
    "børnehave": ("institution", "daycare"),
    "vuggestue": ("institution", "daycare"),
    "dagpleje": ("institution", "daycare"),
    "ppr": ("institution", "ppr"),
    "sundhedspleje": ("institution", "health"),
    "jobcenter": ("institution", "employment"),
    "plejecenter": ("institution", "elderly"),
    "bibliotek": ("institution", "culture_leisure"),
    "team": ("team", None),
}

# None: deliberately not imported.
DEFAULT_MANAGER_TYPES: dict[str, str | None] = {
    "kommunaldirektør": "director",
    "direktør": "chief",
    "chef": "chief",
    "leder": "leader",
    "skoleleder": "leader",
    "institutionsleder": "leader",
    "dagtilbudsleder": "leader",
    "afdelingsleder": "leader",
    "centerleder": "leader",
    "teamleder": "leader",
}

# Leadership comes from OS2mo's manager objects, so a leader's engagement is
# not imported a second time as a role (it would be a second leader).
DEFAULT_JOB_FUNCTIONS: dict[str, str | None] = {
    "lærer": "teacher",
    "børnehaveklasseleder": "teacher",
    "pædagog": "pedagogue",
    "pædagogmedhjælper": "pedagogue",
    "socialrådgiver": "caseworker",
    "sagsbehandler": "caseworker",
    "psykolog": "psychologist",
    "sundhedsplejerske": "health_visitor",
    "jobkonsulent": "job_consultant",
    "koordinator": "coordinator",
    "analytiker": "analyst",
    "dataanalytiker": "analyst",
    "kommunaldirektør": None,
    "direktør": None,
    "skoleleder": None,
    "leder": None,
}

WILDCARD = "*"


def _norm(key: str) -> str:
    return key.strip().casefold()


@dataclass(frozen=True)
class OS2moMapping:
    """How OS2mo's classes become Helhed's code lists.

    Keys are OS2mo class user keys or names, matched without regard to case.
    ``"*"`` catches everything not listed; without it an unlisted class is an
    error, so nothing lands in Helhed under a guessed type. ``None`` for a
    manager type or job function means "do not import these".

    ``to_is_last_day``: OS2mo reports the last day of a validity as its ``to``
    (classic MO semantics). Set it to False for an OS2mo that reports the first
    day after, which shows as one validity's ``to`` equalling the next one's
    ``from``.
    """

    unit_types: dict[str, UnitTypeTarget] = field(default_factory=lambda: dict(DEFAULT_UNIT_TYPES))
    manager_types: dict[str, str | None] = field(
        default_factory=lambda: dict(DEFAULT_MANAGER_TYPES)
    )
    job_functions: dict[str, str | None] = field(
        default_factory=lambda: dict(DEFAULT_JOB_FUNCTIONS)
    )
    to_is_last_day: bool = True

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> OS2moMapping:
        """Read a mapping file's content; it extends the defaults unless ``replace_defaults``.

        Unit types map to ``"code"``, ``"code/sector"`` or ``["code", "sector"]``.
        """
        known = {"unit_types", "manager_types", "job_functions", "to_is_last_day"}
        unknown = set(data) - known - {"replace_defaults"}
        if unknown:
            raise ValueError(
                _("Unknown key(s) in the OS2mo mapping: %(keys)s. Known: %(known)s.")
                % {"keys": ", ".join(sorted(unknown)), "known": ", ".join(sorted(known))}
            )
        base = (
            cls(unit_types={}, manager_types={}, job_functions={})
            if data.get("replace_defaults")
            else cls()
        )
        unit_types = dict(base.unit_types)
        for key, value in dict(data.get("unit_types", {})).items():
            unit_types[_norm(key)] = _unit_type_target(key, value)
        manager_types = dict(base.manager_types)
        manager_types.update(
            {_norm(k): _optional_code(k, v) for k, v in dict(data.get("manager_types", {})).items()}
        )
        job_functions = dict(base.job_functions)
        job_functions.update(
            {_norm(k): _optional_code(k, v) for k, v in dict(data.get("job_functions", {})).items()}
        )
        return cls(
            unit_types=unit_types,
            manager_types=manager_types,
            job_functions=job_functions,
            to_is_last_day=bool(data.get("to_is_last_day", True)),
        )

    @staticmethod
    def _find(table: Mapping[str, Any], keys: list[str]) -> tuple[bool, Any]:
        normalised = {_norm(k): v for k, v in table.items()}
        for key in keys:
            if key and _norm(key) in normalised:
                return True, normalised[_norm(key)]
        if WILDCARD in normalised:
            return True, normalised[WILDCARD]
        return False, None


def _unit_type_target(key: str, value: Any) -> UnitTypeTarget:
    if isinstance(value, str):
        code, _slash, sector = value.partition("/")
        return code.strip(), sector.strip() or None
    if isinstance(value, list | tuple) and len(value) == 2 and isinstance(value[0], str):
        return value[0], value[1] or None
    raise ValueError(
        _('The unit type \'%(key)s\' must map to "code", "code/sector" or [code, sector].')
        % {"key": key}
    )


def _optional_code(key: str, value: Any) -> str | None:
    if value is None or isinstance(value, str):
        return value
    raise ValueError(_("'%(key)s' must map to a role code or null.") % {"key": key})


def _day(value: Any) -> dt.date | None:
    """The calendar date of an OS2mo DateTime such as ``2017-01-01T00:00:00+01:00``.

    The local date is what OS2mo means, so the offset is kept, not converted.
    """
    if value is None:
        return None
    return dt.datetime.fromisoformat(str(value)).date()


def _first_uuid(value: Any) -> str | None:
    """``person`` and ``org_unit`` are lists in OS2mo (``parent`` is an object)."""
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict) and value.get("uuid"):
        return str(value["uuid"])
    return None


def _class_keys(value: Any) -> list[str]:
    if not isinstance(value, dict):
        return []
    return [str(value[k]) for k in ("user_key", "name") if value.get(k)]


@dataclass
class _Validity:
    start: dt.date
    end: dt.date | None
    data: JSON


class _Unmapped:
    """Unmapped classes, reported once per class rather than once per object."""

    def __init__(self) -> None:
        self.seen: dict[tuple[str, str], list[str]] = defaultdict(list)

    def add(self, table: str, name: str, example: str) -> None:
        self.seen[(table, name)].append(example)

    def errors(self, codes: Mapping[str, str]) -> list[RowError]:
        errors = []
        for (table, name), examples in self.seen.items():
            shown = ", ".join(examples[:3]) + (" …" if len(examples) > 3 else "")
            errors.append(
                RowError(
                    _("OS2mo mapping"),
                    _(
                        "'%(name)s' is not in %(table)s, so it has no Helhed code "
                        "(%(count)d objects, e.g. %(examples)s). Add it to %(table)s in the "
                        "mapping file; the codes are: %(codes)s."
                    )
                    % {
                        "name": name,
                        "table": table,
                        "count": len(examples),
                        "examples": shown,
                        "codes": codes[table],
                    },
                )
            )
        return errors


class _Mapper:
    def __init__(self, mapping: OS2moMapping, on: dt.date) -> None:
        self.mapping = mapping
        self.on = on
        self.errors: list[RowError] = []
        self.unmapped = _Unmapped()

    def validities(self, obj: JSON, where: str) -> list[_Validity] | None:
        """An object's validities in date order, or None (and an error) if unreadable."""
        result = []
        try:
            for data in obj.get("validities") or []:
                start = _day(data["validity"]["from"])
                end = _day(data["validity"].get("to"))
                if start is None:
                    raise ValueError("from")
                if end is not None and not self.mapping.to_is_last_day:
                    end -= ONE_DAY
                result.append(_Validity(start, end, data))
        except (KeyError, TypeError, ValueError):
            self.errors.append(RowError(where, _("A validity has no readable from or to date.")))
            return None
        result.sort(key=lambda v: v.start)
        return result

    def current(self, validities: list[_Validity]) -> _Validity:
        """The validity in force on the import date, else the latest one."""
        for validity in validities:
            if validity.start <= self.on and (validity.end is None or validity.end >= self.on):
                return validity
        return validities[-1]

    def unit(self, obj: JSON) -> UnitRow | None:
        uuid = str(obj.get("uuid"))
        validities = self.validities(obj, _("OS2mo org unit %(uuid)s") % {"uuid": uuid})
        if not validities:
            return None
        now = self.current(validities).data
        where = _("OS2mo org unit '%(name)s' (%(uuid)s)") % {"name": now.get("name"), "uuid": uuid}
        for before, after in pairwise(validities):
            if before.end is None or after.start != before.end + ONE_DAY:
                self.errors.append(
                    RowError(
                        where,
                        _(
                            "Its validities do not follow each other (%(end)s, then %(start)s); "
                            "Helhed needs one unbroken period per unit."
                        )
                        % {"end": before.end or _("open"), "start": after.start},
                    )
                )
                return None
        keys = _class_keys(now.get("unit_type")) + _class_keys(now.get("org_unit_level"))
        found, target = OS2moMapping._find(self.mapping.unit_types, keys)
        if not found:
            label = keys[0] if keys else _("(no unit type)")
            self.unmapped.add("unit_types", label, str(now.get("name")))
            return None
        placements: list[Placement] = []
        for validity in validities:
            parent = _first_uuid(validity.data.get("parent"))
            if not placements or placements[-1].parent_id != parent:
                placements.append(Placement(validity.start, parent))
        return UnitRow(
            where=where,
            line=None,
            external_id=uuid,
            name=str(now.get("name") or ""),
            unit_type=target[0],
            sector=target[1],
            valid_from=validities[0].start,
            valid_to=validities[-1].end,
            placements=tuple(placements),
        )

    def person(self, obj: JSON) -> tuple[str, str, str] | None:
        validities = self.validities(obj, _("OS2mo employee %(uuid)s") % {"uuid": obj.get("uuid")})
        if not validities:
            return None
        now = self.current(validities).data
        email = next(
            (
                str(address.get("value"))
                for address in now.get("addresses") or []
                if (address.get("address_type") or {}).get("scope") == "EMAIL"
            ),
            "",
        )
        return str(now.get("given_name") or ""), str(now.get("surname") or ""), email

    def roles(
        self,
        obj: JSON,
        kind: str,
        table: str,
        class_field: str,
        people: Mapping[str, tuple[str, str, str]],
    ) -> list[StaffRow]:
        """One row per unbroken stretch with the same person, unit and role.

        A stretch is cut where OS2mo's validities leave a gap or the person,
        unit or class changes; a vacant manager post (no person) is skipped.
        """
        uuid = str(obj.get("uuid"))
        label = _("OS2mo %(kind)s %(uuid)s") % {"kind": kind, "uuid": uuid}
        validities = self.validities(obj, label)
        if not validities:
            return []
        stretches: list[tuple[tuple[str, str, str | None, str], dt.date, dt.date | None]] = []
        for validity in validities:
            person = _first_uuid(validity.data.get("person"))
            unit = _first_uuid(validity.data.get("org_unit"))
            if person is None or unit is None:
                continue
            keys = _class_keys(validity.data.get(class_field))
            found, role = OS2moMapping._find(getattr(self.mapping, table), keys)
            if not found:
                self.unmapped.add(table, keys[0] if keys else "?", label)
                continue
            if role is None:
                continue
            title = str((validity.data.get(class_field) or {}).get("name") or "")
            ident = (person, unit, role, title)
            last = stretches[-1] if stretches else None
            if (
                last
                and last[0] == ident
                and last[2] is not None
                and (validity.start == last[2] + ONE_DAY)
            ):
                stretches[-1] = (ident, last[1], validity.end)
            else:
                stretches.append((ident, validity.start, validity.end))
        rows = []
        for (person, unit, role, title), start, end in stretches:
            if person not in people:
                self.errors.append(
                    RowError(
                        label,
                        _("Its person %(uuid)s is not among the employees.") % {"uuid": person},
                    )
                )
                continue
            first_name, last_name, email = people[person]
            rows.append(
                StaffRow(
                    where=_("%(label)s (%(name)s)")
                    % {"label": label, "name": f"{first_name} {last_name}".strip()},
                    line=None,
                    external_id=person,
                    first_name=first_name,
                    last_name=last_name,
                    email=email,
                    unit_id=unit,
                    role=role,
                    job_title=title,
                    valid_from=start,
                    valid_to=end,
                )
            )
        return rows


def map_snapshot(
    snapshot: OS2moSnapshot, mapping: OS2moMapping | None = None, on: dt.date | None = None
) -> tuple[list[UnitRow], list[StaffRow], list[RowError]]:
    """Turn OS2mo's shapes into importer rows; unmapped classes become errors.

    Names, types and e-mail addresses are taken as of ``on`` (default today).
    Only people with at least one imported role are imported.
    """
    mapper = _Mapper(mapping or OS2moMapping(), on or today())
    units = [row for obj in snapshot.org_units if (row := mapper.unit(obj)) is not None]
    people: dict[str, tuple[str, str, str]] = {}
    for obj in snapshot.employees:
        person = mapper.person(obj)
        if person is not None:
            people[str(obj.get("uuid"))] = person
    staff: list[StaffRow] = []
    for obj in snapshot.managers:
        staff += mapper.roles(obj, _("manager"), "manager_types", "manager_type", people)
    for obj in snapshot.engagements:
        staff += mapper.roles(obj, _("engagement"), "job_functions", "job_function", people)
    unmapped: list[RowError] = []
    if mapper.unmapped.seen:
        roles = ", ".join(Role.objects.filter(active=True).values_list("code", flat=True))
        codes = {
            "unit_types": ", ".join(
                UnitType.objects.filter(active=True).values_list("code", flat=True)
            ),
            "manager_types": roles,
            "job_functions": roles,
        }
        unmapped = mapper.unmapped.errors(codes)
    return units, staff, [*unmapped, *mapper.errors]


def import_os2mo(
    municipality: Municipality,
    client: OS2moClient,
    *,
    mapping: OS2moMapping | None = None,
    staff: bool = True,
    on: dt.date | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
    log: Log | None = None,
) -> ImportResult:
    """Fetch the organisation from OS2mo and import it: all of it or nothing.

    Raises ``OS2moError`` if OS2mo or Keycloak fails; that happens before any
    write, because everything is fetched first.
    """
    snapshot = fetch(client, staff=staff, log=log)
    units, staff_rows, errors = map_snapshot(snapshot, mapping)
    return apply_rows(
        municipality,
        units,
        staff_rows,
        on=on,
        dry_run=dry_run,
        progress=progress,
        errors=errors,
    )
