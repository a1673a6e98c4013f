"""Forums for the board and self-assessment tests (imported by test_board_* and test_assessments_*).

* ``leaders``: the daily leaders' group over "Børn og Skole"; chair the school
  ``leader``, members the ``chief`` (a leader) and the ``caseworker`` (not a
  leader). It escalates to ``steering``.
* ``steering``: the steering group, covering no unit (members only); chair the
  ``director``, member the ``chief``. It escalates nowhere.
* ``nurse``: front-line staff in "Sundhed", outside the leaders' group's units.
"""

from __future__ import annotations

from helhed.forums.models import Forum, ForumMember, Item
from helhed.organisation.models import Staff, Unit
from helhed.test import BaseTestCase, make_staff, make_unit, municipality


def make_forum(name: str, kind: str, **fields: object) -> Forum:
    return Forum.objects.create(
        municipality=municipality(),
        name=name,
        kind=kind,
        cadence=Forum.Cadence.WEEKLY,
        mandate="Fjerner knaster på tværs af forvaltningerne.",
        **fields,
    )


def add_member(forum: Forum, staff: Staff, role: str = ForumMember.Role.MEMBER) -> ForumMember:
    return ForumMember.objects.create(forum=forum, staff=staff, role=role)


class ForumCase(BaseTestCase):
    steering: Forum
    leaders: Forum
    health: Unit
    nurse: Staff

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.steering = make_forum("Styregruppen", Forum.Kind.STEERING_GROUP)
        cls.leaders = make_forum(
            "Daglig ledergruppe", Forum.Kind.LEADERS_GROUP, escalates_to=cls.steering
        )
        cls.leaders.units.set([cls.children_admin])
        add_member(cls.leaders, cls.leader, ForumMember.Role.CHAIR)
        add_member(cls.leaders, cls.chief)
        add_member(cls.leaders, cls.caseworker)
        add_member(cls.steering, cls.director, ForumMember.Role.CHAIR)
        add_member(cls.steering, cls.chief)
        cls.health = make_unit("Sundhed", parent=cls.root, unit_type="administration")
        cls.nurse = make_staff(
            "Nina", "Nord", unit=cls.health, role="health_visitor", username="nurse"
        )

    def raise_item(
        self, by: Staff | None = None, forum: Forum | None = None, **fields: str
    ) -> Item:
        from helhed.forums.actions.board import do_raise_item

        data = {
            "title": "Ingen betaler for transport til skolen",
            "description": "Skole og socialforvaltning er uenige om, hvem der betaler.",
            "affected": "Børn i dagbehandling",
            "category": Item.Category.BUDGET,
        }
        data.update(fields)
        return do_raise_item(actor=by or self.teacher, forum=forum or self.leaders, **data)
