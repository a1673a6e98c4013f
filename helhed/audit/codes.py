"""The registered action codes of the audit log.

An entry's ``action`` is one of these codes, so that the citizen's insight
page and a leader's review can say in plain words what happened, and a typo
in a call site fails loudly instead of writing an entry nobody can read.
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

ACTIONS: dict[str, str | Promise] = {}


def register(code: str, label: str | Promise) -> str:
    """Register ``code`` (``"<app>.<what>"``) with a label for people; return the code."""
    if code in ACTIONS and ACTIONS[code] != label:
        raise ValueError(f"Audit action {code!r} is registered twice with different labels")
    ACTIONS[code] = label
    return code


def label(code: str) -> str:
    return str(ACTIONS.get(code, code))


# Reads of personal data.
VIEW = register("record.view", _("Looked at"))
LIST = register("record.list", _("Saw in a list"))
SEARCH = register("citizen.search", _("Found in a search"))
# Changes, written for every tracked model by the signal handlers in ``tracking``.
CREATE = register("record.create", _("Recorded"))
CHANGE = register("record.change", _("Changed"))
DELETE = register("record.delete", _("Deleted"))
# Access with a stated purpose outside the usual relations.
BREAK_GLASS = register("access.break_glass", _("Opened in an emergency (break the glass)"))
# Erasure when a retention period has passed.
ERASE = register("retention.erase", _("Erased after its retention period"))
ANONYMISE = register("retention.anonymise", _("Anonymised after its retention period"))
EXPORT = register("record.export", _("Exported"))
# Roles decide whose citizens a staff member sees, so every grant, change and
# end of one is logged, whoever makes it (the admin, an import, a reorganisation).
ROLE_GRANTED = register("role.granted", _("Role granted"))
ROLE_CHANGED = register("role.changed", _("Role changed"))
ROLE_ENDED = register("role.ended", _("Role ended"))
ROLE_MOVED = register("role.moved", _("Role carried over to the reorganised unit"))
# The login a staff record is linked to: whoever logs in with it holds the record's roles.
STAFF_LOGIN = register("staff.login", _("Login of a staff member linked or unlinked"))
# The log's own upkeep: `helhed audit rotate-key` retired the keys named in the detail.
KEY_ROTATED = register("audit.key_rotated", _("Rotated the audit log's key"))
