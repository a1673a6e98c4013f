"""Reference data seeded by migration: municipalities and the default code lists.

Kept as plain data so the migration, the tests and the demo share one source.
A municipality edits the code lists afterwards in the admin.
"""

from __future__ import annotations

import csv
from pathlib import Path

MUNICIPALITIES_CSV = Path(__file__).parent / "data" / "municipalities.csv"

# (code, Danish name, English name, level)
UNIT_TYPES = [
    ("municipality", "Kommune", "Municipality", 1),
    ("administration", "Forvaltning", "Administration", 2),
    ("area", "Område", "Area", 3),
    ("institution", "Institution", "Institution", 4),
    ("team", "Team", "Team", 5),
]

# (code, Danish name, English name)
SECTORS = [
    ("school", "Skole", "School"),
    ("daycare", "Dagtilbud", "Daycare"),
    ("ppr", "PPR", "PPR (educational psychology)"),
    ("social", "Børn og familie", "Social services"),
    ("health", "Sundhed", "Health"),
    ("employment", "Beskæftigelse", "Employment"),
    ("culture_leisure", "Kultur og fritid", "Culture and leisure"),
    ("elderly", "Ældre", "Elderly care"),
]

# (code, Danish name, English name, access kind)
ROLES = [
    ("director", "Kommunaldirektør", "Municipal director", "leader"),
    ("chief", "Direktør", "Chief", "leader"),
    ("leader", "Leder", "Leader", "leader"),
    ("caseworker", "Sagsbehandler", "Case worker", "frontline"),
    ("teacher", "Lærer", "Teacher", "frontline"),
    ("pedagogue", "Pædagog", "Pedagogue", "frontline"),
    ("coordinator", "Koordinator", "Coordinator", "frontline"),
    ("psychologist", "Psykolog", "Psychologist", "frontline"),
    ("health_visitor", "Sundhedsplejerske", "Health visitor", "frontline"),
    ("job_consultant", "Jobkonsulent", "Job consultant", "frontline"),
    ("analyst", "Analytiker", "Analyst", "analyst"),
    ("politician", "Politiker", "Politician", "politician"),
]


def municipality_rows() -> list[dict[str, str]]:
    with MUNICIPALITIES_CSV.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))
