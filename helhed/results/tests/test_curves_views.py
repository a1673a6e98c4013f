"""Turning the curve, the pages: the list, starting, the six steps, actions, closing."""

from __future__ import annotations

import datetime as dt
import re

from django.urls import reverse
from django.utils import translation

from helhed.lib.validity import today
from helhed.results.actions.curves import do_add_curve_action, do_close_curve
from helhed.results.models import CurveAction, CurvePlan
from helhed.results.tests.test_curves_actions import CurveCase
from helhed.test import indicator, make_unit


def section(html: str, testid: str) -> str:
    """The HTML of the element with this data-testid (up to its closing section)."""
    start = html.index(f'data-testid="{testid}"')
    return html[start : html.index("</section>", start)]


class StartPageTests(CurveCase):
    def url(self, indicator_id: int | None = None, unit_id: int | None = None) -> str:
        return (
            reverse("results:curve_start")
            + f"?indicator={indicator_id or self.absence.pk}&unit={unit_id or self.school.pk}"
        )

    def test_the_chief_starts_a_curve_for_bakkeskolen(self) -> None:
        self.login(self.chief)
        response = self.client.get(self.url())
        self.assertContains(response, "Turn the curve of")
        self.assertContains(response, "Off target")
        response = self.client.post(self.url(), {"end_wanted": "Every child in school"})
        curve = CurvePlan.objects.get()
        self.assertRedirects(response, reverse("results:curve", args=[curve.pk]))
        assert (curve.owner, curve.unit, curve.end_wanted) == (
            self.chief,
            self.school,
            "Every child in school",
        )

    def test_a_teacher_may_see_the_unit_but_not_start(self) -> None:
        self.login(self.teacher)
        assert self.client.get(self.url()).status_code == 403
        assert self.client.post(self.url(), {}).status_code == 403
        assert not CurvePlan.objects.exists()

    def test_the_outsider_gets_404(self) -> None:
        self.login(self.outsider)
        assert self.client.get(self.url()).status_code == 404
        assert self.client.post(self.url(), {}).status_code == 404

    def test_an_indicator_of_another_municipality_or_bad_ids_give_404(self) -> None:
        self.login(self.chief)
        other = indicator("fravaer-over-10", municipality_code=167)
        assert self.client.get(self.url(indicator_id=other.pk)).status_code == 404
        assert self.client.get(reverse("results:curve_start") + "?unit=x").status_code == 404
        assert self.client.get(self.url(indicator_id=10**30)).status_code == 404

    def test_a_duplicate_active_curve_redirects_to_it_with_a_message(self) -> None:
        curve = self.start(actor=self.leader)
        self.login(self.chief)
        for response in (self.client.get(self.url()), self.client.post(self.url(), {})):
            self.assertRedirects(response, reverse("results:curve", args=[curve.pk]))
        response = self.client.get(self.url(), follow=True)
        self.assertContains(response, "There is already an active plan for this curve")
        assert CurvePlan.objects.count() == 1

    def test_wrong_method(self) -> None:
        self.login(self.chief)
        assert self.client.put(self.url()).status_code == 405


class DetailTests(CurveCase):
    def setUp(self) -> None:
        super().setUp()
        self.curve = self.start()
        self.url = reverse("results:curve", args=[self.curve.pk])

    def test_the_page_shows_the_six_steps_the_plot_and_the_table(self) -> None:
        self.login(self.chief)
        response = self.client.get(self.url)
        html = response.content.decode()
        for heading in (
            "1. The end we want",
            "2. The baseline, and the forecast if nothing changes",
            "3. The story behind the curve",
            "4. Partners with a role to play",
            "5. What works",
            "6. Actions",
        ):
            assert heading in html, heading
        assert "<svg" in html
        table = section(html, "step-baseline")
        with translation.override("en"):  # the page is in English, the test in Danish
            assert self.last.label in table
        # The proposal continues the straight line 10, 11, ... 15.
        assert 'value="16.000"' in html and 'value="19.000"' in html
        assert "it is not set until someone sets it" in html

    def test_every_step_is_saved_and_shown(self) -> None:
        self.login(self.leader)
        texts = {
            "end_wanted": "Every child comes to school",
            "story": "Long winter colds",
            "partners": "PPR and the health nurse",
            "what_works": "Early calls home",
        }
        for step, text in texts.items():
            response = self.client.post(
                reverse("results:curve_step", args=[self.curve.pk, step]), {step: text}
            )
            assert response.status_code == 302, step
        self.curve.refresh_from_db()
        assert {step: getattr(self.curve, step) for step in texts} == texts
        self.login(self.teacher)  # reads, without forms
        html = self.client.get(self.url).content.decode()
        for step, text in texts.items():
            assert text in section(html, f"step-{step}")
        assert "forecast-form" not in html and "action-form" not in html

    def test_an_unknown_step_is_404(self) -> None:
        self.login(self.chief)
        response = self.client.post(reverse("results:curve_step", args=[self.curve.pk, "owner"]))
        assert response.status_code == 404

    def test_setting_the_forecast(self) -> None:
        self.login(self.chief)
        first, second = self.next_periods(2)
        data = {"period_0": first, "value_0": "15.5", "period_1": second, "value_1": "15"}
        response = self.client.post(reverse("results:curve_forecast", args=[self.curve.pk]), data)
        assert response.status_code == 302
        self.curve.refresh_from_db()
        assert self.curve.forecast == [
            {"period": first, "value": "15.500"},
            {"period": second, "value": "15.000"},
        ]
        response = self.client.get(self.url)
        self.assertContains(response, "Forecast set by Claus Krog")
        self.assertContains(response, 'value="15.500"')

    def test_forecast_errors_are_shown_beside_the_row_and_nothing_is_saved(self) -> None:
        self.login(self.chief)
        url = reverse("results:curve_forecast", args=[self.curve.pk])
        cases = [
            ({"period_0": f"{self.last.year + 1}", "value_0": "16"}, "which is measured quarterly"),
            ({"period_0": self.next_periods(1)[0], "value_0": "many"}, "is not a number"),
            (
                {"period_0": self.last.previous().code, "value_0": "16"},
                "A forecast is for periods after the latest value",
            ),
        ]
        for data, message in cases:
            with self.subTest(message=message):
                response = self.client.post(url, data)
                self.assertContains(response, message, status_code=400)
                self.assertContains(response, 'class="field-error"', status_code=400)
        self.curve.refresh_from_db()
        assert self.curve.forecast == []

    def test_readers_and_outsiders_cannot_change_anything(self) -> None:
        posts = [
            (reverse("results:curve_step", args=[self.curve.pk, "story"]), {"story": "x"}),
            (
                reverse("results:curve_forecast", args=[self.curve.pk]),
                {"period_0": self.next_periods(1)[0], "value_0": "1"},
            ),
            (
                reverse("results:curve_action_add", args=[self.curve.pk]),
                {"description": "x", "owner": self.teacher.pk, "due_on": today().isoformat()},
            ),
            (reverse("results:curve_close", args=[self.curve.pk]), {}),
        ]
        for who, expected in ((self.teacher, 403), (self.outsider, 404), (self.caseworker, 404)):
            self.login(who)
            assert self.client.get(self.url).status_code == (200 if expected == 403 else 404)
            for url, data in posts:
                assert self.client.post(url, data).status_code == expected, (who, url)
        self.curve.refresh_from_db()
        assert (self.curve.story, self.curve.forecast, self.curve.is_active) == ("", [], True)
        assert not CurveAction.objects.exists()

    def test_wrong_methods(self) -> None:
        self.login(self.chief)
        assert self.client.post(self.url).status_code == 405
        assert (
            self.client.get(reverse("results:curve_forecast", args=[self.curve.pk])).status_code
            == 405
        )
        assert (
            self.client.get(reverse("results:curve_action_add", args=[self.curve.pk])).status_code
            == 405
        )


class CurveActionPageTests(CurveCase):
    def setUp(self) -> None:
        super().setUp()
        self.curve = self.start()
        self.add_url = reverse("results:curve_action_add", args=[self.curve.pk])

    def add(self, **changes: object) -> CurveAction:
        arguments: dict = {
            "actor": self.chief,
            "curve": self.curve,
            "description": "Call the families",
            "owner": self.teacher,
            "due_on": today(),
        }
        arguments.update(changes)
        return do_add_curve_action(**arguments)

    def test_adding_an_action(self) -> None:
        self.login(self.chief)
        due = today() + dt.timedelta(days=14)
        response = self.client.post(
            self.add_url,
            {"description": "Call the families", "owner": self.teacher.pk, "due_on": due},
        )
        assert response.status_code == 302
        action = CurveAction.objects.get()
        assert (action.owner, action.due_on) == (self.teacher, due)
        response = self.client.get(reverse("results:curve", args=[self.curve.pk]))
        steps = section(response.content.decode(), "step-actions")
        assert "Call the families" in steps and "Tom Thy" in steps

    def test_a_past_due_date_and_an_owner_elsewhere_are_refused(self) -> None:
        self.login(self.chief)
        yesterday = today() - dt.timedelta(days=1)
        response = self.client.post(
            self.add_url, {"description": "x", "owner": self.teacher.pk, "due_on": yesterday}
        )
        self.assertContains(response, "The due date cannot be in the past", status_code=400)
        response = self.client.post(
            self.add_url, {"description": "x", "owner": self.outsider.pk, "due_on": today()}
        )
        assert response.status_code == 400
        assert "owner" in response.context["action_form"].errors
        assert not CurveAction.objects.exists()

    def test_the_owner_marks_done_and_an_editor_cancels(self) -> None:
        mine, other = self.add(), self.add(description="Visit PPR", owner=self.leader)
        self.login(self.teacher)
        response = self.client.post(
            reverse("results:curve_action_update", args=[mine.pk]), {"status": "done"}
        )
        assert response.status_code == 302
        # The teacher sees the plan but neither owns the other action nor edits the plan.
        response = self.client.post(
            reverse("results:curve_action_update", args=[other.pk]), {"status": "done"}
        )
        assert response.status_code == 403
        self.login(self.chief)
        self.client.post(
            reverse("results:curve_action_update", args=[other.pk]), {"status": "cancelled"}
        )
        mine.refresh_from_db()
        other.refresh_from_db()
        assert (mine.status, mine.done_on, other.status) == ("done", today(), "cancelled")

    def test_a_bad_status_changes_nothing_and_outsiders_get_404(self) -> None:
        action = self.add()
        url = reverse("results:curve_action_update", args=[action.pk])
        self.login(self.chief)
        response = self.client.post(url, {"status": "open"}, follow=True)
        self.assertContains(response, "Mark the action done or cancelled.")
        self.login(self.outsider)
        assert self.client.post(url, {"status": "done"}).status_code == 404
        self.login(self.chief)
        assert self.client.get(url).status_code == 405
        action.refresh_from_db()
        assert action.status == "open"

    def test_overdue_actions_are_flagged(self) -> None:
        action = self.add()
        CurveAction.objects.filter(pk=action.pk).update(due_on=today() - dt.timedelta(days=3))
        self.login(self.chief)
        response = self.client.get(reverse("results:curve", args=[self.curve.pk]))
        steps = section(response.content.decode(), "step-actions")
        assert 'class="overdue"' in steps and "overdue</span>" in steps

    def test_my_curve_actions_lists_open_ones_first_with_overdue_flagged(self) -> None:
        done = self.add(description="Done already", due_on=today())
        done.status = CurveAction.Status.DONE
        done.save()
        late = self.add(description="Late one")
        CurveAction.objects.filter(pk=late.pk).update(due_on=today() - dt.timedelta(days=2))
        self.add(description="Not mine", owner=self.leader)
        self.login(self.teacher)
        response = self.client.get(reverse("results:curve_actions"))
        html = section(response.content.decode(), "my-curve-actions")
        assert html.index("Late one") < html.index("Done already")
        assert "Not mine" not in html
        assert "overdue</span>" in html
        assert self.client.post(reverse("results:curve_actions")).status_code == 405

    def test_an_owner_who_cannot_see_the_plan_still_marks_their_action_done(self) -> None:
        action = self.add(owner=self.caseworker)  # family department: does not see the school
        self.login(self.caseworker)
        assert self.client.get(reverse("results:curve", args=[self.curve.pk])).status_code == 404
        response = self.client.get(reverse("results:curve_actions"))
        self.assertContains(response, "Call the families")
        response = self.client.post(
            reverse("results:curve_action_update", args=[action.pk]), {"status": "done"}
        )
        self.assertRedirects(response, reverse("results:curve_actions"))
        action.refresh_from_db()
        assert action.status == "done"


class CloseAndListTests(CurveCase):
    def test_closing_after_a_confirmation(self) -> None:
        curve = self.start()
        url = reverse("results:curve_close", args=[curve.pk])
        self.login(self.leader)
        self.assertContains(self.client.get(url), "Close the plan?")
        self.assertRedirects(self.client.post(url), reverse("results:curve", args=[curve.pk]))
        curve.refresh_from_db()
        assert not curve.is_active
        response = self.client.get(reverse("results:curve", args=[curve.pk]))
        self.assertContains(response, "Closed")
        self.assertNotContains(response, "forecast-form")
        assert self.client.post(url).status_code == 403  # closed: no more changes

    def test_the_list_shows_mine_first_and_filters_active_and_closed(self) -> None:
        grades = indicator("karakter-02-dansk-matematik")
        other = self.start(actor=self.leader, indicator=grades)
        mine = self.start()
        dept = make_unit("Skovskolen", parent=self.children_admin, sector="school")
        closed = self.start(unit=dept)
        do_close_curve(actor=self.chief, curve=closed)
        CurvePlan.objects.filter(pk=other.pk).update(updated_at=mine.updated_at + dt.timedelta(1))
        self.login(self.chief)
        html = section(self.client.get(reverse("results:curves")).content.decode(), "curve-list")
        rows = re.findall(r'href="/results/curves/(\d+)/"', html)
        assert rows == [str(mine.pk), str(other.pk)]
        html = self.client.get(reverse("results:curves") + "?state=closed").content.decode()
        assert re.findall(r'href="/results/curves/(\d+)/"', section(html, "curve-list")) == [
            str(closed.pk)
        ]
        html = self.client.get(
            reverse("results:curves") + "?state=all&q=skovskolen"
        ).content.decode()
        found = re.findall(r'href="/results/curves/(\d+)/"', section(html, "curve-list"))
        assert found == [str(closed.pk)]

    def test_the_list_is_empty_for_the_outsider_and_paginates(self) -> None:
        self.start()
        self.login(self.outsider)
        response = self.client.get(reverse("results:curves"))
        self.assertContains(response, "No plans to turn a curve here yet.")
        self.login(self.chief)
        assert self.client.get(reverse("results:curves") + "?page=99").status_code == 200
        assert self.client.post(reverse("results:curves")).status_code == 405
