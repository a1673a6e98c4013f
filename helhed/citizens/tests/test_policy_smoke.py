from __future__ import annotations

from helhed import policy
from helhed.test import BaseTestCase


class VisibleCitizensTests(BaseTestCase):
    def test_it_shows_citizen_to_engaged_caseworker(self) -> None:
        assert list(policy.visible_citizens(self.caseworker.user)) == [self.alma]

    def test_it_shows_pupil_to_teacher_through_school_engagement(self) -> None:
        assert list(policy.visible_citizens(self.teacher.user)) == [self.alma]

    def test_it_hides_citizen_without_engagement(self) -> None:
        for staff in (self.colleague, self.leader, self.chief, self.politician, self.outsider):
            assert not policy.visible_citizens(staff.user).exists(), staff

    def test_it_hides_citizens_from_admin_without_staff_record(self) -> None:
        assert not policy.visible_citizens(self.admin).exists()
