"""The unit page steps back and forward through periods, never into one still running."""

from __future__ import annotations

from helhed.lib.validity import today
from helhed.results.periods import Frequency, Period
from helhed.test import BaseTestCase


class PeriodLinkTests(BaseTestCase):
    def test_the_latest_complete_quarter_has_no_link_forward(self) -> None:
        self.make_results_chain()
        self.login(self.chief)
        latest = Period.last_complete(today(), Frequency.QUARTERLY)
        url = f"/results/units/{self.children_admin.pk}/"
        response = self.client.get(url, {"period": latest.code})
        assert f'?period={latest.previous().code}"' in response.content.decode()
        assert f'?period={latest.next().code}"' not in response.content.decode()
        older = self.client.get(url, {"period": latest.previous().code})
        assert f'?period={latest.code}"' in older.content.decode()
