"""The access matrix: every subject x object x action, on the web and the API, against one table.

``ALLOWED`` below is the access policy as a table. A subject is a role in a
relation to one child, Alma (``SUBJECTS``); an object type is something that
carries her data, or an aggregate (``ROUTES`` maps each to its URL names and
API endpoints); an action is ``view`` (the detail page or endpoint), ``list``
(does the object appear in the list page or endpoint) or ``change`` (one
representative change). Every cell of the cross product is asked, on the web
(Django's test client with a session) and on the API (a bearer token from
``ApiToken.issue``, as ``create_api_token`` makes), in one test method with
one ``subTest`` per cell; each request runs in a savepoint that is rolled
back, so no cell steers the next.

Anything not in the table is denied (``expected``): a login page or 401 for
the anonymous user; "not listed" for a list; 403 for a change of an object
the subject may see (a view or list of it is allowed in the table); 404
otherwise, so that probing ids tells nothing. A cell's expected value is one of

* ``200``: the page or endpoint answers with the object (where the route
  has a finder for a view, the answer shows it: an analytics page shows the
  unit's numbers);
* ``empty``: the page answers (200) but shows nothing of the object (a
  benchmark page without the comparison, a dashboard without numbers);
* ``redacted``: it answers, without the child's name or CPR number;
* ``listed``: the list names the object (a link or its text on the web, its
  id in the API);
* ``allowed``: the change gets past the policy: done (the API's 200/201, the
  web's redirect) or, on the web, the empty form refused (400) after the
  policy said yes; the API sends a valid body, since it checks the body first;
* ``403``, ``404``, ``not listed``, ``login``.

Beyond the status, no answer may name a child to a subject who has no right
to her (``MAY_NAME``: her first name, or full name when short, and her CPR
number in both forms), and no answer about an aggregate names her at all.

A cell that contradicts the policy but is not fixed yet goes in
``KNOWN_GAPS`` with its actual answer: the test then fails when the answer
changes, and when the gap is closed (so the entry is removed and the table
holds). The matrix found one gap, now fixed: an engagement resting on a
consent opened the child to any sector, not only those the consent names
(the ``scope`` subject; ``policy._consent_covers_q``).

Set ``HELHED_MATRIX_REPORT=<path>`` to write every cell's actual answer, and
the time per route, to a file (a reading aid when the policy changes).
"""

from __future__ import annotations

import datetime as dt
import io
import os
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar
from unittest import mock

from django.contrib.auth.models import User
from django.db import transaction
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from helhed.api.models import ApiToken
from helhed.citizens.actions import do_break_glass, do_start_engagement
from helhed.citizens.models import Engagement
from helhed.feedback.actions import do_record_rating
from helhed.feedback.models import Scale, ScaleActivation
from helhed.forums.actions.board import do_raise_item, do_take_item
from helhed.forums.actions.forums import do_create_forum, do_record_decision, do_set_member
from helhed.forums.models import Forum
from helhed.leadership.actions.documentation import do_register_requirement
from helhed.leadership.actions.principles import do_create_principle
from helhed.leadership.actions.proposals import do_propose
from helhed.leadership.actions.rules import do_register_rule
from helhed.leadership.actions.teams import (
    do_answer,
    do_close_reflection,
    do_create_team,
    do_open_reflection,
)
from helhed.leadership.models import BurdenProposal, DocumentationRequirement
from helhed.lib.validity import today
from helhed.organisation.actions_directory import do_add_contact_point
from helhed.organisation.models import Staff, Unit
from helhed.plans.actions.concerns import do_log_concern
from helhed.plans.actions.contacts import do_log_contact
from helhed.plans.actions.contradictions import do_flag_contradiction
from helhed.plans.actions.handovers import do_start_handover
from helhed.plans.actions.meetings import do_add_action, do_schedule_meeting
from helhed.plans.actions.plans import do_add_effort, do_add_goal
from helhed.plans.actions.referrals import do_send_referral
from helhed.plans.actions.stories import do_write_story
from helhed.plans.models import Concern, Contact, Goal, Handover, LegalBasis, Plan
from helhed.results.actions.reports import (
    do_approve_report,
    do_generate_reports,
    do_submit_report,
    do_write_narrative,
)
from helhed.results.models import Ambition, Committee, Marker, StatusReport
from helhed.test import (
    EPOCH,
    BaseTestCase,
    engage,
    give_emergency_role,
    indicator,
    make_citizen,
    make_consent,
    make_family_login,
    make_plan,
    make_staff,
    make_unit,
    municipality,
    record_value,
)
from helhed.trials.actions.trials import do_apply_for_grant, do_create_trial

from .world import ABSENCE, NO_CACHE, make_cell, make_profiles

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse

# --------------------------------------------------------------------------- the subjects

SUBJECTS: dict[str, str] = {
    "personal": "front-line (case worker) with a personal engagement with Alma",
    "unit": "front-line (teacher) in Alma's school, which has a unit engagement with her",
    "consented": "front-line (social) whose personal engagement rests on the family's consent "
    "to share between school and social services",
    "colleague": "front-line in the case worker's department, without an engagement",
    "coordinator": "front-line coordinator of Alma's plan (and of her brother's), no engagement",
    "participant": "front-line participant in Alma's plan (PPR), no engagement",
    "withdrawn": "front-line whose engagement rests on a consent withdrawn yesterday",
    "expired": "front-line whose engagement with Alma ended yesterday",
    "scope": "front-line in a health unit whose engagement rests on the consent to share "
    "between school and social services (what a referral accepted on it makes)",
    "glass": "on-call social worker who broke the glass for Alma today",
    "oncall": "on-call social worker who has not broken the glass",
    "leader": "leader of Alma's school",
    "chief": "chief of the children and school administration (above the school)",
    "director": "municipal director (leader of the root unit)",
    "analyst": "analyst",
    "politician": "politician on the committee",
    "outsider": "case worker in another municipality",
    "guardian": "family login of Alma's mother, her guardian",
    "child": "Alma's own family login",
    "sibling": "family login of Alma's brother, not in the mother's care",
    "stranger": "family login of an unrelated citizen",
    "admin": "technical administrator (superuser) without a staff record",
    "anonymous": "not signed in",
}
FAMILY = ("guardian", "child", "sibling", "stranger")
NON_STAFF = (*FAMILY, "admin", "anonymous")
STAFF = tuple(s for s in SUBJECTS if s not in NON_STAFF)
# The roles that compare (the benchmark, what works): leaders, analysts and politicians.
COMPARERS = ("leader", "chief", "director", "analyst", "politician")
GROUPS: dict[str, tuple[str, ...]] = {
    "@staff": STAFF,
    "@family": FAMILY,
    # Staff who may see Alma: through an engagement (the rows of ``citizen view``) or her plan.
    "@sees": ("personal", "unit", "consented", "glass", "coordinator", "participant"),
    # The family logins that see Alma's plan: her guardian's and her own.
    "@kin": ("guardian", "child"),
    "@compare": COMPARERS,
    # Staff in front-line roles only (the outsider too: a case worker in another municipality).
    "@frontline": tuple(s for s in STAFF if s not in COMPARERS),
}

# --------------------------------------------------------------------------- the table
#
# Why a cell is allowed: the rules of ``helhed.policy``'s docstring, in short.
RULES: dict[str, str] = {
    "engaged": "an engagement valid today: the staff member's own or their unit's, "
    "on a legal basis or a consent in force that names the sector (or break the glass)",
    "in-plan": "taking part in an active plan (coordinator, participant) opens its citizens",
    "same": "as for view",
    "consents": "front-line staff who see the citizen record and withdraw her consents",
    "plan": "a plan is visible to staff who may see one of its citizens, and to those taking part",
    "family": "a family login sees the plans of its citizen and the children in its care",
    "edits": "a plan is changed only by its coordinator and participants",
    "staff-pages": "(denial) the professionals' plan pages and API are no family's: 404",
    "his-own": "a family login of the brother sees his own plan",
    "of-plan": "part of the plan: whoever sees the plan (the family gets the summary on the web)",
    "owner": "an action is also changed (and listed) by its owner",
    "raised": "a concern is visible to whoever raised it and to its follow-up owner, who act on it",
    "units": "a referral is visible to the sender and to the staff of the two units",
    "row-only": "a leader of the sending unit sees the referral as a row: no child, no question",
    "decides": "the receiving unit decides on a referral",
    "author": "the author proposes a story for sharing",
    "own-consents": "a family login reads and withdraws the consents about itself and its children",
    "rates": "ratings are given by the family, or recorded by those who work on the plan",
    "insight": "a family login reads the audit entries about itself and the children in its care",
    "review": "leaders review look-ups by their staff; the director reviews all staff",
    "no-review": "(denial) a page, not an object: staff without the right get 403",
    "led": "a leader sees the results of the units they lead and everything beneath them",
    "works-in": "front-line staff see the results of their own units and two levels above",
    "all-units": "analysts and politicians see every unit of their municipality (aggregates)",
    "targets": "the unit's leaders (any level above) and the results managers record values",
    "approved": "approved status reports are for all staff of the municipality",
    "submits": "its ambition's owner and the leaders of the units it covers (then 422: approved)",
    "registers": "the leadership registers are the municipality's: every staff member reads them",
    "keeps-rules": "a rule's owner, or a leader of its owning unit or above, decides on it",
    "drops": "a leader of the requirement's owning unit or above drops it (not its owner alone)",
    "level": "a proposal is decided by a leader of the unit it is decided at, or above it",
    "spans": "leaders see the spans of the units they lead; the director and analysts all",
    "sets-target": "the municipal director sets the target span",
    "signs": "a unit signs a principle through its own leader, not a leader above it",
    "members": "a leader team's open round (its answers) is its members' own",
    "agenda": "a closed round's agenda is read by the members and the leaders above the team",
    "forums": "forums, decisions, trials and the directory name no citizen: every staff member "
    "of the municipality reads them",
    "chairs": "a forum's chair or secretary records its decisions (a grant among them) and "
    "decides the grant applications made to it",
    "board": "a board's obstacles are read by the forum's members, the staff of its units "
    "(and beneath) and the one who raised them",
    "takes": "a leader who is a member of the obstacle's forum takes it",
    "escalates": "the one who took an obstacle, or the forum's chair, escalates it",
    "settles": "an effort's settlement is read by leaders of its responsible or paying unit "
    "(or above) and by whoever sees its plan; the open settlements are the leaders' (no names)",
    "agrees": "a leader of the paying unit or above agrees to pay",
    "ledger": "leaders read the ledger of the budgets they lead; analysts and the director all",
    "handover": "a handover is read by its sender, the staff of the two units and whoever "
    "sees the citizen; the lists show those of the user's units",
    "receives": "staff of the receiving unit accept a handover (the sender keeps it until then)",
    "overdue": "leaders see the overdue handovers their units (or units beneath) are "
    "responsible for, as rows without the citizen",
    "leaders-list": "(denial) a list for leaders: staff and logins without the right get 403",
    "contact": "a contact is read with its citizen, and by the coordinator it was sent to",
    "sent-to": "only the coordinator a contact was sent to lists it and marks it seen",
    "journey": "the journey and the contact map are reads of the citizen: staff who see "
    "her; the journey also her family (what the family view shows)",
    "keeps-points": "a leader of the unit or above keeps its contact points and capacity",
    "no-dashboards": "(denial) without a role that opens a dashboard (a family login, the "
    "administrator) the page says so and shows no numbers whatever unit is asked, the files "
    "are refused (400) and the API by role (403): alike for every unit",
    "compares": "leaders, analysts and politicians compare the municipality with comparable "
    "ones; front-line staff open the benchmark page without it and the API refuses them",
    "ranks": "a league table of the schools is for those who compare the municipality and see "
    "every unit the schools sit in (the school's leader sees its area, one level up)",
    "what-works": "leaders compare the efforts their units supply; analysts, politicians and "
    "the director the municipality's",
    "no-what-works": "(denial) front-line staff and logins without a staff role compare no "
    "efforts: 403 by role, alike for everyone",
}

# object | action | channel (web, api, both) | subjects | expected | rule (above).
# Subjects are names or groups; "-name" takes one out. Grouped by object type;
# cells not here are denied (``expected``), and the two denial rows say why.
ALLOWED = """
# Alma's citizen record; change = record a consent she or her guardian gave
citizen      | view   | both | personal unit consented glass | 200      | engaged
citizen      | view   | both | coordinator participant       | 200      | in-plan
citizen      | list   | both | @sees                         | listed   | same
citizen      | change | both | @sees                         | allowed  | consents

# Alma's plan; change = add a goal. Families read it on their own page (web only).
plan         | view   | both | @sees                         | 200      | plan
plan         | view   | web  | @kin                          | 200      | family
plan         | list   | both | @sees                         | listed   | same
plan         | list   | web  | @kin                          | listed   | same
plan         | change | both | coordinator participant       | allowed  | edits
plan         | change | both | @kin                          | 404      | staff-pages

# her brother's plan: the guardian has no right to him (he is not in her care)
sibling_plan | view   | both | coordinator                   | 200      | plan
sibling_plan | view   | web  | sibling                       | 200      | his-own
sibling_plan | list   | both | coordinator                   | listed   | same
sibling_plan | list   | web  | sibling                       | listed   | same
sibling_plan | change | both | coordinator                   | allowed  | edits
sibling_plan | change | both | sibling                       | 404      | staff-pages

# a meeting on Alma's plan; list = the plan's meetings; change = cancel it
meeting      | view   | both | @sees @kin                    | 200      | of-plan
meeting      | list   | api  | @sees @kin                    | listed   | of-plan
meeting      | change | both | coordinator participant       | allowed  | edits

# an action on Alma's plan, owned by the teacher; change = mark it done
action       | list   | web  | unit                          | listed   | owner
action       | list   | api  | @sees @kin                    | listed   | of-plan
action       | change | both | unit                          | allowed  | owner
action       | change | both | coordinator participant       | allowed  | edits

# a concern the teacher raised for the case worker to follow up; change = add a note
concern      | view   | both | unit personal                 | 200      | raised
concern      | list   | both | unit personal                 | listed   | raised
concern      | change | both | unit personal                 | allowed  | raised

# a referral from Alma's school to the family department; change = reject it
referral     | view   | both | unit personal colleague       | 200      | units
referral     | view   | both | leader                        | redacted | row-only
referral     | list   | both | unit personal colleague leader | listed  | units
referral     | change | both | personal colleague            | allowed  | decides

# a story the coordinator wrote in Alma's plan (not shared: in no list); change = propose it
story        | view   | both | @sees                         | 200      | plan
story        | change | both | coordinator                   | allowed  | author

# the consent Alma's mother gave; list = the family's consent page (web), Alma's consents
# (API); change = withdraw it
consent      | list   | web  | @kin                          | listed   | own-consents
consent      | list   | api  | @sees                         | listed   | consents
consent      | change | both | @sees                         | allowed  | consents
consent      | change | both | @kin                          | allowed  | own-consents

# the ratings (FIT) of Alma's plan; view = the progress page; change = record a rating
feedback     | view   | both | @sees @kin                    | 200      | of-plan
feedback     | list   | api  | @sees @kin                    | listed   | of-plan
feedback     | change | both | coordinator participant @kin  | allowed  | rates

# who has looked at our data (GDPR insight); list = the break-the-glass entry about Alma
audit_mine   | view   | both | @family                       | 200      | insight
audit_mine   | list   | both | @kin                          | listed   | insight

# the leaders' access review; list = the same entry (the on-call unit is beneath the chief)
audit_review | view   | both | leader chief director         | 200      | review
audit_review | view   | both | @staff admin -leader -chief -director | 403 | no-review
audit_review | list   | both | chief director                | listed   | review

# the results of Alma's school (aggregates: never a name); change = record a value
unit         | view   | both | leader chief director         | 200      | led
unit         | view   | both | unit                          | 200      | works-in
unit         | view   | both | analyst politician            | 200      | all-units
unit         | change | api  | leader chief director analyst | allowed  | targets

# an approved committee status report (aggregates: never a name); change = submit it
report       | view   | both | @staff -outsider              | 200      | approved
report       | list   | both | @staff -outsider              | listed   | approved
report       | change | both | chief director                | allowed  | submits

# Leadership (no one's personal data: aggregates). A rule of Alma's school, owned by its
# leader; change = keep it
rule         | view   | both | @staff -outsider              | 200      | registers
rule         | list   | both | @staff -outsider              | listed   | registers
rule         | change | both | leader chief director         | allowed  | keeps-rules

# a documentation requirement of the school, owned by the teacher; change = drop it
requirement  | view   | both | @staff -outsider              | 200      | registers
requirement  | list   | both | @staff -outsider              | listed   | registers
requirement  | change | both | leader chief director         | allowed  | drops

# the teacher's proposal to drop that requirement, decided at the school; change = accept it
proposal     | view   | both | @staff -outsider              | 200      | registers
proposal     | list   | both | @staff -outsider              | listed   | registers
proposal     | change | both | leader chief director         | allowed  | level

# the management spans; view = the overview of the user's top unit; change = set the target
span         | view   | both | leader chief director analyst | 200      | spans
span         | change | both | director                      | allowed  | sets-target

# a principle the school's leader wrote; change = sign it for the school
principle    | view   | both | @staff -outsider              | 200      | registers
principle    | list   | both | @staff -outsider              | listed   | registers
principle    | change | both | leader                        | allowed  | signs

# an open round of the chiefs' team (the chief and the school's leader, under the director);
# list = the team's rounds; change = answer a question
round        | view   | both | leader chief                  | 200      | members
round        | list   | both | leader chief                  | listed   | members
round        | change | both | leader chief                  | allowed  | members

# the same open round; change = close it (its agenda is made)
round_close  | change | both | leader chief                  | allowed  | members

# a closed round of that team: its agenda; list = the team's rounds
agenda       | view   | both | leader chief director         | 200      | agenda
agenda       | list   | both | leader chief director         | listed   | agenda

# Leading across sectors. The school's leaders' forum (chair: the chief; member: the
# school's leader), covering the school, with a budget; change = record a decision with
# a grant
forum        | view   | both | @staff -outsider              | 200      | forums
forum        | list   | both | @staff -outsider              | listed   | forums
forum        | change | both | chief                         | allowed  | chairs

# a decision of that forum; list = the decision log
decision     | view   | both | @staff -outsider              | 200      | forums
decision     | list   | both | @staff -outsider              | listed   | forums

# an obstacle the teacher raised on the forum's board; list = the board (web), the items
# (API); change = take it
obstacle     | view   | both | unit leader chief             | 200      | board
obstacle     | list   | both | unit leader chief             | listed   | board
obstacle     | change | both | leader chief                  | allowed  | takes

# an obstacle the school's leader took; change = escalate it to the steering group
obstacle_taken | view | both | unit leader chief             | 200      | board
obstacle_taken | change | both | leader chief                | allowed  | escalates

# the school leader's trial; and its grant application to the forum: list = the
# applications to decide (the forum's chair's); change = grant it
trial        | view   | both | @staff -outsider              | 200      | forums
trial        | list   | both | @staff -outsider              | listed   | forums
application  | view   | both | @staff -outsider              | 200      | forums
application  | list   | api  | chief                         | listed   | chairs
application  | change | both | chief                         | allowed  | chairs

# an effort of Alma's plan run and paid by the school, its payer not agreed yet;
# list = the open settlements; change = agree to pay
settlement   | view   | both | @sees leader chief director   | 200      | settles
settlement   | list   | both | leader chief director         | listed   | settles
settlement   | change | both | leader chief director         | allowed  | agrees

# the settlement ledger (the cost per paying budget: no names)
ledger       | view   | both | leader chief director analyst | 200      | ledger

# Alma's handover from the family department to the family centre; change = accept it
handover     | view   | both | @sees colleague               | 200      | handover
handover     | list   | both | personal colleague coordinator consented | listed | handover
handover     | change | both | coordinator consented         | allowed  | receives

# the leaders' overdue handovers (view = the list); list = a handover of Alma from the
# family centre (beneath the chief), overdue
overdue      | view   | both | leader chief director         | 200      | overdue
overdue      | view   | both | @staff @family admin -leader -chief -director | 403 | leaders-list
overdue      | list   | both | chief director                | listed   | overdue

# a contact the teacher logged with Alma, sent to her plan's coordinator (the API only:
# no page of its own); list = the coordinator's contacts to see; change = mark it seen
contact      | view   | api  | @sees                         | 200      | contact
contact      | list   | both | coordinator                   | listed   | sent-to
contact      | change | both | coordinator                   | allowed  | sent-to

# Alma's contact map and journey
contact_map  | view   | both | @sees                         | 200      | journey
journey      | view   | both | @sees @kin                    | 200      | journey

# a contradiction in Alma's plan (an effort against her goal); list = the plan's;
# change = resolve it in the plan's meeting
contradiction | view  | both | @sees                         | 200      | plan
contradiction | list  | both | @sees                         | listed   | plan
contradiction | change | both | coordinator participant      | allowed  | edits

# the school's contact point in the directory; change = say it has no capacity
point        | view   | api  | @staff -outsider              | 200      | forums
point        | list   | both | @staff -outsider              | listed   | forums
point        | change | both | leader chief director         | allowed  | keeps-points

# Analytics (aggregates about units: never a name; see also test_analytics). The dashboard of
# Alma's school: the page, and its cells in the API, show the school's numbers (200)
dashboard    | view   | both | leader chief director         | 200      | led
dashboard    | view   | both | unit                          | 200      | works-in
dashboard    | view   | both | analyst politician            | 200      | all-units
dashboard    | view   | web  | @family admin                 | empty    | no-dashboards
dashboard    | view   | api  | @family admin                 | 403      | no-dashboards

# the same selection as a CSV file and as an Excel workbook
dashboard_csv | view  | web  | leader chief director         | 200      | led
dashboard_csv | view  | web  | unit                          | 200      | works-in
dashboard_csv | view  | web  | analyst politician            | 200      | all-units
dashboard_csv | view  | web  | @family admin                 | 400      | no-dashboards
dashboard_xlsx | view | web  | leader chief director         | 200      | led
dashboard_xlsx | view | web  | unit                          | 200      | works-in
dashboard_xlsx | view | web  | analyst politician            | 200      | all-units
dashboard_xlsx | view | web  | @family admin                 | 400      | no-dashboards

# the dashboard of a sibling school (beside Alma's, under the same administration): its
# leader is not the school's leader (404), and the teacher works elsewhere
sibling_dashboard | view | both | chief director             | 200      | led
sibling_dashboard | view | both | analyst politician         | 200      | all-units
sibling_dashboard | view | web | @family admin               | empty    | no-dashboards
sibling_dashboard | view | api | @family admin               | 403      | no-dashboards

# the benchmark page's comparison of the municipality with comparable ones (view: the
# page shows the comparable municipality; the API's benchmark), and its league table of
# the schools (the page shows the schools' rows; the API's schools)
comparison   | view   | both | @compare                      | 200      | compares
comparison   | view   | web  | @frontline                    | empty    | compares
comparison   | view   | api  | @frontline @family admin      | 403      | compares
schools      | view   | both | @compare                      | 200      | ranks
schools      | view   | web  | @frontline                    | empty    | ranks
schools      | view   | api  | @frontline @family admin      | 403      | ranks

# what works: efforts compared by type (the page, its CSV file, the API)
whatworks    | view   | both | @compare                      | 200      | what-works
whatworks    | view   | both | @frontline @family admin      | 403      | no-what-works
whatworks_csv | view  | web  | @compare                      | 200      | what-works
whatworks_csv | view  | web  | @frontline @family admin      | 403      | no-what-works
"""

# Cells that contradict the policy and are not fixed yet: (subject, object, action, channel)
# -> the answer the code gives today. See the module docstring.
KNOWN_GAPS: dict[tuple[str, str, str, str], Any] = {}

# --------------------------------------------------------------------------- the routes
#
# One place maps each (object, action, channel) to a URL name, its ids and what
# is sent. ``family`` is the family logins' own page for the same thing.

Ids = dict[str, int]
Body = Callable[["AccessMatrixTest"], dict[str, Any]]
Finder = Callable[["AccessMatrixTest", "TestResponse"], bool]


@dataclass(frozen=True)
class Route:
    """How a subject reaches one object by one action: a URL name, its ids, what is sent."""

    name: str
    args: tuple[str, ...] = ()
    method: str = "GET"
    body: Body | None = None
    family: Route | None = None
    # For lists: whether the answer names the object.
    finds: Finder | None = None
    # For changes: the answers that mean "past the policy" (``ALLOWED_STATUS`` if empty).
    allowed: frozenset[int] = frozenset()
    query: str = ""
    # A list in more than one page (the referrals' two boxes): the next one.
    more: Route | None = None

    def url(self, case: AccessMatrixTest) -> str:
        """The URL name reversed with the world's ids (or a path with ``{ids}``), and the query."""
        if self.name.startswith("/"):
            url = self.name.format_map(case.ids)
        else:
            url = reverse(self.name, args=[case.ids[a] for a in self.args])
        return f"{url}?{self.query.format_map(case.ids)}" if self.query else url


def web_text(text_of: Callable[[AccessMatrixTest], str]) -> Finder:
    return lambda case, response: text_of(case) in response.content.decode()


def web_link(name: str, *args: str) -> Finder:
    return web_text(lambda case: 'href="' + reverse(name, args=[case.ids[a] for a in args]))


def xlsx_text(text: str) -> Finder:
    """Whether a workbook holds ``text`` (in any of the XML files in its zip)."""

    def finds(case: AccessMatrixTest, response: TestResponse) -> bool:
        with zipfile.ZipFile(io.BytesIO(response.content)) as book:
            return any(text in book.read(name).decode() for name in book.namelist())

    return finds


def api_items(response: TestResponse) -> list[dict[str, Any]]:
    data = response.json()
    if isinstance(data, dict):
        data = data.get("items", [])
    return list(data)


def api_id(key: str, field_name: str = "id") -> Finder:
    return lambda case, response: any(
        row.get(field_name) == case.ids[key] for row in api_items(response)
    )


def api_glass_entry(case: AccessMatrixTest, response: TestResponse) -> bool:
    return any(
        row.get("break_glass") and row.get("citizen_id") == case.ids["citizen"]
        for row in api_items(response)
    )


GLASS_REASON = "Politiet ringede om natten, barnet skal anbringes akut"
CONSENT_PURPOSE = "Samarbejde mellem skole og familieafdeling (matrix)"
ACTION_TEXT = "Ring til skolen om fraværet (matrix)"
CONTACT_PURPOSE = "Opfølgning på fraværet (matrix)"
POINT_NAME = "Skolens AKT-team (matrix)"
OVERDUE_TO = "Ungdomsskolen (matrix)"
SIBLING_SCHOOL = "Skovskolen (matrix)"
# The analytics pages: a dashboard's query selecting the published cells of 2025, the
# benchmark's, and what shows that an answer holds the object (see ``make_analytics``).
DASHBOARD_QUERY = "unit={school}&from=2025-Q1&to=2025-Q4"
BENCHMARK_QUERY = f"indicator={ABSENCE}&period=2025-Q3"
TREND = 'data-testid="trend"'  # a dashboard's plot and table of the unit's values
SCHOOL = "Bakkeskolen"
COMPARABLE = 'data-kind="comparable"'  # a comparable municipality's row
SCHOOL_ROW = 'data-kind="school"'  # a row of the schools' league table


def goal_body(case: AccessMatrixTest, plan: str = "plan") -> dict[str, Any]:
    return {
        "expected_version": case.versions[plan],
        "text": "Gå i skole hver dag",
        "formulated_by": "citizen",
        "formulated_by_name": "Barnet",
        "target_date": str(today() + dt.timedelta(days=60)),
    }


ROUTES: dict[tuple[str, str, str], Route] = {
    # Alma's citizen record
    ("citizen", "view", "web"): Route("citizens:detail", ("citizen",)),
    ("citizen", "view", "api"): Route("api:get_citizen", ("citizen",)),
    ("citizen", "list", "web"): Route(
        "citizens:list", finds=web_link("citizens:detail", "citizen")
    ),
    ("citizen", "list", "api"): Route("api:list_citizens", finds=api_id("citizen")),
    ("citizen", "change", "web"): Route("citizens:consent_record", ("citizen",), "POST"),
    ("citizen", "change", "api"): Route(
        "api:record_consent",
        ("citizen",),
        "POST",
        body=lambda case: {
            "sector_ids": [case.ids["school_sector"]],
            "purpose": "Samarbejde om trivsel",
            "given_by_id": case.ids["mother"],
        },
    ),
    # Alma's plan
    ("plan", "view", "web"): Route(
        "plans:detail", ("plan",), family=Route("plans:family_plan", ("plan",))
    ),
    ("plan", "view", "api"): Route("api:get_plan", ("plan",)),
    ("plan", "list", "web"): Route(
        "plans:list",
        finds=web_link("plans:detail", "plan"),
        family=Route("plans:family_home", finds=web_link("plans:family_plan", "plan")),
    ),
    ("plan", "list", "api"): Route("api:list_plans", finds=api_id("plan")),
    ("plan", "change", "web"): Route("plans:goal_add", ("plan",), "POST"),
    ("plan", "change", "api"): Route("api:add_goal", ("plan",), "POST", body=goal_body),
    # her brother's plan
    ("sibling_plan", "view", "web"): Route(
        "plans:detail", ("sibling_plan",), family=Route("plans:family_plan", ("sibling_plan",))
    ),
    ("sibling_plan", "view", "api"): Route("api:get_plan", ("sibling_plan",)),
    ("sibling_plan", "list", "web"): Route(
        "plans:list",
        finds=web_link("plans:detail", "sibling_plan"),
        family=Route("plans:family_home", finds=web_link("plans:family_plan", "sibling_plan")),
    ),
    ("sibling_plan", "list", "api"): Route("api:list_plans", finds=api_id("sibling_plan")),
    ("sibling_plan", "change", "web"): Route("plans:goal_add", ("sibling_plan",), "POST"),
    ("sibling_plan", "change", "api"): Route(
        "api:add_goal",
        ("sibling_plan",),
        "POST",
        body=lambda case: goal_body(case, "sibling_plan"),
    ),
    # a meeting
    ("meeting", "view", "web"): Route(
        "plans:meeting_detail",
        ("meeting",),
        family=Route("plans:meeting_summary", ("meeting",)),
    ),
    ("meeting", "view", "api"): Route("api:get_meeting", ("meeting",)),
    ("meeting", "list", "api"): Route("api:list_meetings", ("plan",), finds=api_id("meeting")),
    ("meeting", "change", "web"): Route("plans:meeting_cancel", ("meeting",), "POST"),
    ("meeting", "change", "api"): Route(
        "api:cancel_meeting", ("meeting",), "POST", body=lambda case: {"reason": "Syg"}
    ),
    # an action (no page or endpoint of its own: a row of the plan and of its owner's list)
    ("action", "list", "web"): Route("plans:actions", finds=web_text(lambda case: ACTION_TEXT)),
    ("action", "list", "api"): Route("api:list_plan_actions", ("plan",), finds=api_id("action")),
    ("action", "change", "web"): Route("plans:action_complete", ("action",), "POST"),
    ("action", "change", "api"): Route(
        "api:complete_action", ("action",), "POST", body=lambda case: {"note": "Gjort"}
    ),
    # a concern
    ("concern", "view", "web"): Route("plans:concern_detail", ("concern",)),
    ("concern", "view", "api"): Route("api:get_concern", ("concern",)),
    ("concern", "list", "web"): Route(
        "plans:concerns", finds=web_link("plans:concern_detail", "concern")
    ),
    ("concern", "list", "api"): Route("api:list_concerns", finds=api_id("concern")),
    ("concern", "change", "web"): Route("plans:concern_note", ("concern",), "POST"),
    ("concern", "change", "api"): Route(
        "api:add_note", ("concern",), "POST", body=lambda case: {"note": "Talt med mor"}
    ),
    # a referral
    ("referral", "view", "web"): Route("plans:referral_detail", ("referral",)),
    ("referral", "view", "api"): Route("api:get_referral", ("referral",)),
    ("referral", "list", "web"): Route(
        "plans:referrals",
        query="box=incoming",
        finds=web_link("plans:referral_detail", "referral"),
        more=Route(
            "plans:referrals", query="box=sent", finds=web_link("plans:referral_detail", "referral")
        ),
    ),
    ("referral", "list", "api"): Route("api:list_referrals", finds=api_id("referral")),
    ("referral", "change", "web"): Route("plans:referral_reject", ("referral",), "POST"),
    ("referral", "change", "api"): Route(
        "api:reject_referral", ("referral",), "POST", body=lambda case: {"reason": "Ikke os"}
    ),
    # a story (private: the story list shows shared, anonymised stories only)
    ("story", "view", "web"): Route("plans:story_detail", ("story",)),
    ("story", "view", "api"): Route("api:get_story", ("story",)),
    ("story", "list", "web"): Route("plans:stories", finds=web_link("plans:story_detail", "story")),
    ("story", "list", "api"): Route("api:shared_stories", finds=api_id("story")),
    ("story", "change", "web"): Route("plans:story_propose", ("story",), "POST"),
    ("story", "change", "api"): Route(
        "api:propose_story",
        ("story",),
        "POST",
        body=lambda case: {"anonymised_text": "Et barn kom i skole igen."},
    ),
    # a consent (no page or endpoint of its own)
    ("consent", "list", "web"): Route(
        "citizens:family_consents", finds=web_text(lambda case: CONSENT_PURPOSE)
    ),
    ("consent", "list", "api"): Route("api:list_consents", ("citizen",), finds=api_id("consent")),
    ("consent", "change", "web"): Route(
        "citizens:consent_withdraw",
        ("citizen", "consent"),
        "POST",
        family=Route("citizens:family_consent_withdraw", ("consent",), "POST"),
    ),
    ("consent", "change", "api"): Route(
        "api:withdraw_consent", ("consent",), "POST", body=lambda case: {}
    ),
    # the plan's ratings
    ("feedback", "view", "web"): Route("feedback:progress", ("plan",)),
    ("feedback", "view", "api"): Route("api:get_progress", ("plan",)),
    ("feedback", "list", "api"): Route("api:list_ratings", ("plan",), finds=api_id("rating")),
    ("feedback", "change", "web"): Route("feedback:rate", ("plan",), "POST"),
    ("feedback", "change", "api"): Route(
        "api:record_rating",
        ("plan",),
        "POST",
        body=lambda case: {
            "scale": "cors",
            "citizen_id": case.ids["citizen"],
            "scores": [6, 6, 6, 6],
            "given_by": "Barnet",
        },
    ),
    # the family's insight into the audit log
    ("audit_mine", "view", "web"): Route("audit:mine"),
    ("audit_mine", "view", "api"): Route("api:my_entries"),
    ("audit_mine", "list", "web"): Route("audit:mine", finds=web_text(lambda case: GLASS_REASON)),
    ("audit_mine", "list", "api"): Route("api:my_entries", finds=api_glass_entry),
    # the leader's review of unusual access
    ("audit_review", "view", "web"): Route("audit:review"),
    ("audit_review", "view", "api"): Route("api:heavy_users"),
    ("audit_review", "list", "web"): Route(
        "audit:review", finds=web_text(lambda case: GLASS_REASON)
    ),
    # A path: ``api:break_glass`` names two operations (this and breaking the glass).
    ("audit_review", "list", "api"): Route("/api/audit/review/break-glass", finds=api_glass_entry),
    # the results of Alma's school
    ("unit", "view", "web"): Route("results:unit", ("school",)),
    ("unit", "view", "api"): Route("api:get_unit_results", ("school",)),
    ("unit", "change", "api"): Route(
        "api:record_measurement",
        method="POST",
        body=lambda case: {
            "indicator_id": case.ids["indicator"],
            "unit_id": case.ids["school"],
            "period": "2025-Q4",
            "value": "11",
            "persons": 40,
        },
    ),
    # an approved committee status report
    ("report", "view", "web"): Route("results:report", ("report",)),
    ("report", "view", "api"): Route("api:get_report", ("report",)),
    ("report", "list", "web"): Route("results:reports", finds=web_link("results:report", "report")),
    ("report", "list", "api"): Route("api:list_reports", finds=api_id("report")),
    ("report", "change", "web"): Route(
        "results:report_submit", ("report",), "POST", allowed=frozenset({422})
    ),
    ("report", "change", "api"): Route(
        "api:submit_report", ("report",), "POST", allowed=frozenset({422})
    ),
    # leadership: the web's empty form is refused with 422 once the policy said yes; the API
    # is asked by path (ninja names a URL by its function, and the names repeat across apps)
    ("rule", "view", "web"): Route("leadership:rule", ("rule",)),
    ("rule", "view", "api"): Route("/api/leadership/rules/{rule}"),
    ("rule", "list", "web"): Route("leadership:rules", finds=web_link("leadership:rule", "rule")),
    ("rule", "list", "api"): Route("/api/leadership/rules", finds=api_id("rule")),
    ("rule", "change", "web"): Route(
        "leadership:rule_decide", ("rule",), "POST", allowed=frozenset({422})
    ),
    ("rule", "change", "api"): Route(
        "/api/leadership/rules/{rule}/decisions",
        method="POST",
        body=lambda case: {
            "decision": "keep",
            "reason": "Reglen giver stadig mening for skolen",
            "next_review_on": str(today() + dt.timedelta(days=180)),
        },
    ),
    ("requirement", "view", "web"): Route("leadership:requirement", ("requirement",)),
    ("requirement", "view", "api"): Route("/api/leadership/documentation/{requirement}"),
    ("requirement", "list", "web"): Route(
        "leadership:documentation", finds=web_link("leadership:requirement", "requirement")
    ),
    ("requirement", "list", "api"): Route(
        "/api/leadership/documentation", finds=api_id("requirement")
    ),
    ("requirement", "change", "web"): Route(
        "leadership:requirement_drop", ("requirement",), "POST", allowed=frozenset({422})
    ),
    ("requirement", "change", "api"): Route(
        "/api/leadership/documentation/{requirement}/drop",
        method="POST",
        body=lambda case: {"reason": "Ingen bruger dataene længere"},
    ),
    ("proposal", "view", "web"): Route("leadership:proposal", ("proposal",)),
    ("proposal", "view", "api"): Route("/api/leadership/proposals/{proposal}"),
    ("proposal", "list", "web"): Route(
        "leadership:proposals", finds=web_link("leadership:proposal", "proposal")
    ),
    ("proposal", "list", "api"): Route("/api/leadership/proposals", finds=api_id("proposal")),
    ("proposal", "change", "web"): Route(
        "leadership:proposal_decide", ("proposal",), "POST", allowed=frozenset({422})
    ),
    ("proposal", "change", "api"): Route(
        "/api/leadership/proposals/{proposal}/decide",
        method="POST",
        body=lambda case: {"decision": "accept", "reason": "Skemaet bruges ikke"},
    ),
    ("span", "view", "web"): Route("leadership:span"),
    ("span", "view", "api"): Route("/api/leadership/spans"),
    ("span", "change", "web"): Route(
        "leadership:span_target", method="POST", allowed=frozenset({422})
    ),
    ("span", "change", "api"): Route(
        "/api/leadership/spans/target",
        method="POST",
        body=lambda case: {"max_direct_reports": 12, "applies_from": str(today())},
    ),
    ("principle", "view", "web"): Route("leadership:principle", ("principle",)),
    ("principle", "view", "api"): Route("/api/leadership/principles/{principle}"),
    ("principle", "list", "web"): Route(
        "leadership:principles", finds=web_link("leadership:principle", "principle")
    ),
    ("principle", "list", "api"): Route("/api/leadership/principles", finds=api_id("principle")),
    # Signing names the unit: an empty form is refused before the policy is asked.
    ("principle", "change", "web"): Route(
        "leadership:principle_sign",
        ("principle",),
        "POST",
        body=lambda case: {"unit": case.ids["school"]},
    ),
    ("principle", "change", "api"): Route(
        "/api/leadership/principles/{principle}/signatures",
        method="POST",
        body=lambda case: {"unit_id": case.ids["school"]},
    ),
    ("round", "view", "web"): Route("leadership:team_round", ("round",)),
    ("round", "view", "api"): Route("/api/leadership/teams/rounds/{round}"),
    ("round", "list", "web"): Route(
        "leadership:team", ("team",), finds=web_link("leadership:team_round", "round")
    ),
    ("round", "list", "api"): Route("/api/leadership/teams/{team}/rounds", finds=api_id("round")),
    ("round", "change", "web"): Route(
        "leadership:team_round_answer", ("round", "question"), "POST", allowed=frozenset({422})
    ),
    ("round", "change", "api"): Route(
        "/api/leadership/teams/rounds/{round}/answers",
        method="POST",
        body=lambda case: {"question_id": case.ids["question"], "text": "Vi taler om ejerskab"},
    ),
    ("round_close", "change", "web"): Route("leadership:team_round_close", ("round",), "POST"),
    ("round_close", "change", "api"): Route(
        "/api/leadership/teams/rounds/{round}/close", method="POST"
    ),
    ("agenda", "view", "web"): Route("leadership:team_agenda", ("agenda",)),
    ("agenda", "view", "api"): Route("/api/leadership/teams/rounds/{agenda}/agenda"),
    ("agenda", "list", "web"): Route(
        "leadership:team", ("team",), finds=web_link("leadership:team_agenda", "agenda")
    ),
    ("agenda", "list", "api"): Route("/api/leadership/teams/{team}/rounds", finds=api_id("agenda")),
    # leading across sectors: the forums, trials and directory by path (ninja's URL names
    # repeat across apps); the web's empty forms are refused with 422 past the policy
    ("forum", "view", "web"): Route("forums:detail", ("forum",)),
    ("forum", "view", "api"): Route("/api/forums/{forum}"),
    ("forum", "list", "web"): Route("forums:list", finds=web_link("forums:detail", "forum")),
    ("forum", "list", "api"): Route("/api/forums", finds=api_id("forum")),
    ("forum", "change", "web"): Route(
        "forums:decision_create",
        ("forum",),
        "POST",
        body=lambda case: {
            "text": "Skolen får en AKT-vejleder",
            "mandate_basis": "Forummets bevillingsramme",
            "decided_on": str(today()),
            "grant_amount": "20000",
            "grant_purpose": "AKT-vejleder",
        },
    ),
    ("forum", "change", "api"): Route(
        "/api/forums/{forum}/decisions",
        method="POST",
        body=lambda case: {
            "text": "Skolen får en AKT-vejleder",
            "mandate_basis": "Forummets bevillingsramme",
            "grant_amount": "20000",
            "grant_purpose": "AKT-vejleder",
        },
    ),
    ("decision", "view", "web"): Route("forums:decision", ("decision",)),
    ("decision", "view", "api"): Route("/api/forums/decisions/{decision}"),
    ("decision", "list", "web"): Route(
        "forums:decisions", finds=web_link("forums:decision", "decision")
    ),
    ("decision", "list", "api"): Route("/api/forums/decisions", finds=api_id("decision")),
    ("obstacle", "view", "web"): Route("forums:item", ("obstacle",)),
    ("obstacle", "view", "api"): Route("/api/forums/board/items/{obstacle}"),
    ("obstacle", "list", "web"): Route(
        "forums:board", ("forum",), finds=web_link("forums:item", "obstacle")
    ),
    ("obstacle", "list", "api"): Route("/api/forums/board/items", finds=api_id("obstacle")),
    ("obstacle", "change", "web"): Route("forums:item_take", ("obstacle",), "POST"),
    ("obstacle", "change", "api"): Route("/api/forums/board/items/{obstacle}/take", method="POST"),
    ("obstacle_taken", "view", "web"): Route("forums:item", ("obstacle_taken",)),
    ("obstacle_taken", "view", "api"): Route("/api/forums/board/items/{obstacle_taken}"),
    ("obstacle_taken", "change", "web"): Route(
        "forums:item_settle",
        ("obstacle_taken",),
        "POST",
        body=lambda case: {"outcome": "escalate", "reason": "Det kræver en ny bevilling"},
    ),
    ("obstacle_taken", "change", "api"): Route(
        "/api/forums/board/items/{obstacle_taken}/escalate",
        method="POST",
        body=lambda case: {"reason": "Det kræver en ny bevilling"},
    ),
    ("trial", "view", "web"): Route("trials:detail", ("trial",)),
    ("trial", "view", "api"): Route("/api/trials/{trial}"),
    ("trial", "list", "web"): Route("trials:list", finds=web_link("trials:detail", "trial")),
    ("trial", "list", "api"): Route("/api/trials", finds=api_id("trial")),
    ("application", "view", "web"): Route("trials:application", ("application",)),
    ("application", "view", "api"): Route("/api/trials/applications/{application}"),
    ("application", "list", "api"): Route("/api/trials/applications", finds=api_id("application")),
    ("application", "change", "web"): Route(
        "trials:application_decide",
        ("application",),
        "POST",
        body=lambda case: {"decision": "grant", "mandate_basis": "Puljen til prøvehandlinger"},
    ),
    ("application", "change", "api"): Route(
        "/api/trials/applications/{application}/decision",
        method="POST",
        body=lambda case: {
            "decision": "grant",
            "text": "",
            "mandate_basis": "Puljen til prøvehandlinger",
        },
    ),
    ("settlement", "view", "web"): Route("plans:payments_settlement", ("settlement",)),
    ("settlement", "view", "api"): Route("/api/payments/efforts/{settlement}"),
    ("settlement", "list", "web"): Route(
        "plans:payments_open", finds=web_link("plans:payments_settlement", "settlement")
    ),
    ("settlement", "list", "api"): Route("/api/payments/open", finds=api_id("settlement")),
    ("settlement", "change", "web"): Route("plans:payments_agree", ("settlement",), "POST"),
    ("settlement", "change", "api"): Route(
        "/api/payments/efforts/{settlement}/agree", method="POST"
    ),
    ("ledger", "view", "web"): Route("plans:payments_ledger"),
    ("ledger", "view", "api"): Route("/api/payments/ledger"),
    ("handover", "view", "web"): Route("plans:handover_detail", ("handover",)),
    ("handover", "view", "api"): Route("/api/handovers/{handover}"),
    ("handover", "list", "web"): Route(
        "plans:handovers", finds=web_link("plans:handover_detail", "handover")
    ),
    ("handover", "list", "api"): Route("/api/handovers", finds=api_id("handover")),
    ("handover", "change", "web"): Route("plans:handover_accept", ("handover",), "POST"),
    ("handover", "change", "api"): Route("/api/handovers/{handover}/accept", method="POST"),
    ("overdue", "view", "web"): Route("plans:handovers_overdue"),
    ("overdue", "view", "api"): Route("/api/handovers/overdue"),
    ("overdue", "list", "web"): Route(
        "plans:handovers_overdue", finds=web_text(lambda case: OVERDUE_TO)
    ),
    ("overdue", "list", "api"): Route("/api/handovers/overdue", finds=api_id("overdue")),
    ("contact", "view", "api"): Route("/api/contacts/{contact}"),
    ("contact", "list", "web"): Route(
        "plans:contacts_to_see", finds=web_text(lambda case: CONTACT_PURPOSE)
    ),
    ("contact", "list", "api"): Route("/api/contacts/to-see", finds=api_id("contact")),
    ("contact", "change", "web"): Route("plans:contact_seen", ("contact",), "POST"),
    ("contact", "change", "api"): Route("/api/contacts/{contact}/seen", method="POST"),
    ("contact_map", "view", "web"): Route("plans:contact_map", ("citizen",)),
    ("contact_map", "view", "api"): Route("/api/contacts/citizens/{citizen}/map"),
    ("journey", "view", "web"): Route(
        "plans:journey", ("citizen",), family=Route("plans:family_journey", ("citizen",))
    ),
    ("journey", "view", "api"): Route("/api/journeys/{citizen}"),
    ("contradiction", "view", "web"): Route("plans:contradiction_detail", ("contradiction",)),
    ("contradiction", "view", "api"): Route("/api/contradictions/{contradiction}"),
    ("contradiction", "list", "web"): Route(
        "plans:contradiction_list",
        ("plan",),
        finds=web_link("plans:contradiction_detail", "contradiction"),
    ),
    ("contradiction", "list", "api"): Route(
        "/api/contradictions", query="plan_id={plan}", finds=api_id("contradiction")
    ),
    ("contradiction", "change", "web"): Route(
        "plans:contradiction_resolve", ("contradiction",), "POST", allowed=frozenset({422})
    ),
    ("contradiction", "change", "api"): Route(
        "/api/contradictions/{contradiction}/resolve",
        method="POST",
        body=lambda case: {
            "meeting_id": case.ids["meeting"],
            "resolution": "Terapien flyttes til torsdag",
        },
    ),
    ("point", "view", "api"): Route("/api/directory/{point}"),
    ("point", "list", "web"): Route(
        "organisation:directory", finds=web_text(lambda case: POINT_NAME)
    ),
    ("point", "list", "api"): Route("/api/directory", finds=api_id("point")),
    ("point", "change", "web"): Route(
        "organisation:directory_capacity",
        ("point",),
        "POST",
        body=lambda case: {"capacity_note": "Fuldt til januar"},
    ),
    ("point", "change", "api"): Route(
        "/api/directory/{point}/capacity",
        method="POST",
        body=lambda case: {"has_capacity": False, "note": "Fuldt til januar"},
    ),
    # analytics: the pages by name, with a query that selects the school's published cells;
    # the API by path (ninja's URL names repeat across apps)
    ("dashboard", "view", "web"): Route(
        "analytics:dashboard", query=DASHBOARD_QUERY, finds=web_text(lambda case: TREND)
    ),
    ("dashboard", "view", "api"): Route(
        "/api/analytics/cells", query="unit_id={school}", finds=api_id("school", "unit_id")
    ),
    ("dashboard_csv", "view", "web"): Route(
        "analytics:dashboard_csv", query=DASHBOARD_QUERY, finds=web_text(lambda case: SCHOOL)
    ),
    ("dashboard_xlsx", "view", "web"): Route(
        "analytics:dashboard_xlsx", query=DASHBOARD_QUERY, finds=xlsx_text(SCHOOL)
    ),
    ("sibling_dashboard", "view", "web"): Route(
        "analytics:dashboard",
        query=DASHBOARD_QUERY.replace("{school}", "{sibling_school}"),
        finds=web_text(lambda case: TREND),
    ),
    ("sibling_dashboard", "view", "api"): Route(
        "/api/analytics/cells",
        query="unit_id={sibling_school}",
        finds=api_id("sibling_school", "unit_id"),
    ),
    ("comparison", "view", "web"): Route(
        "analytics:benchmark", query=BENCHMARK_QUERY, finds=web_text(lambda case: COMPARABLE)
    ),
    ("comparison", "view", "api"): Route("/api/analytics/benchmark", query=BENCHMARK_QUERY),
    ("schools", "view", "web"): Route(
        "analytics:benchmark", query=BENCHMARK_QUERY, finds=web_text(lambda case: SCHOOL_ROW)
    ),
    ("schools", "view", "api"): Route("/api/analytics/schools", query=BENCHMARK_QUERY),
    ("whatworks", "view", "web"): Route("analytics:what_works"),
    ("whatworks", "view", "api"): Route("/api/analytics/what-works"),
    ("whatworks_csv", "view", "web"): Route("analytics:what_works_csv"),
}
OBJECTS = tuple(dict.fromkeys(obj for obj, _action, _channel in ROUTES))
# A change past the policy: done (the API's 200/201, the web's redirect), or the web's
# empty form refused (400). The approved report refuses a submission by its state (422).
ALLOWED_STATUS = {"api": frozenset({200, 201}), "web": frozenset({302, 400})}
ACTIONS = ("view", "list", "change")
CHANNELS = ("web", "api")
# Objects about no one: no answer about them names a child, whoever asks.
AGGREGATES = frozenset(
    {
        "audit_review",
        "unit",
        "report",
        "principle",
        "rule",
        "requirement",
        "proposal",
        "span",
        "round",
        "round_close",
        "agenda",
        "forum",
        "decision",
        "obstacle",
        "obstacle_taken",
        "trial",
        "application",
        "settlement",
        "ledger",
        "overdue",
        "point",
        "dashboard",
        "dashboard_csv",
        "dashboard_xlsx",
        "sibling_dashboard",
        "comparison",
        "schools",
        "whatworks",
        "whatworks_csv",
    }
)
# Who may read a child's name, in answers about which objects (None: any). Everyone else
# never does, in no cell; a family login's own name is on each of its pages. Her brother's
# name is looked for in the answers about his plan only (Alma's page names her siblings).
MAY_NAME: dict[str, dict[str, frozenset[str] | None]] = {
    "alma": {
        **dict.fromkeys(GROUPS["@sees"] + GROUPS["@kin"]),
        "colleague": frozenset({"referral", "handover"}),
    },
    "bror": {"coordinator": None, "sibling": None},
}
OWN_CITIZEN = {"child": "alma", "sibling": "bror"}


def make_leadership(
    *, leader: Staff, teacher: Staff, chief: Staff, school: Unit, administration: Unit
) -> Ids:
    """The leadership objects of the table, made through the actions; their ids by table name.

    A rule and a documentation requirement of the school (the rule owned by
    its leader, the requirement by the teacher), the teacher's proposal to
    drop the requirement, a principle the leader wrote, and the chiefs' team
    of the administration (the chief and the school's leader) with an open
    round and a closed one.
    """
    rule = do_register_rule(
        actor=leader,
        title="Skriftlige indkaldelser",
        area="Skole",
        text="Indkald altid skriftligt",
        reason="Skriftlige indkaldelser giver forældrene overblik",
        owner=leader,
        owning_unit=school,
    )
    requirement = do_register_requirement(
        actor=leader,
        title="Fraværsskema",
        kind=DocumentationRequirement.Kind.FORM,
        purpose="Opfølgning på fravær",
        owner=teacher,
        owning_unit=school,
        minutes_per_case=10,
        cases_per_year=200,
    )
    proposal = do_propose(
        actor=teacher,
        title="Drop fraværsskemaet",
        description="Ingen bruger det",
        change=BurdenProposal.Change.REMOVE,
        new_theme="Dokumentation",
        requirement=requirement,
    )
    principle = do_create_principle(
        actor=leader,
        title="Fravær er fælles sag",
        situation="Skolen er bekymret for en elevs fravær",
        who_does_what="Skolen ringer hjem, familieafdelingen følger op",
        review_on=today() + dt.timedelta(days=365),
    )
    team = do_create_team(
        actor=chief, unit=administration, name="Chefgruppen", members=[chief, leader]
    )
    open_round = do_open_reflection(
        actor=chief, team=team, title="Før næste møde", meeting_on=today()
    )
    question = open_round.questions.order_by("pk")[0]
    closed = do_open_reflection(actor=chief, team=team, title="Sidste møde", meeting_on=today())
    do_answer(actor=leader, reflection=closed, question=question, text="Mere tid til eleverne")
    do_close_reflection(actor=chief, reflection=closed)
    return {
        "rule": rule.pk,
        "requirement": requirement.pk,
        "proposal": proposal.pk,
        "principle": principle.pk,
        "team": team.pk,
        "round": open_round.pk,
        "question": question.pk,
        "agenda": closed.pk,
    }


def make_across(
    *,
    plan: Plan,
    coordinator: Staff,
    leader: Staff,
    teacher: Staff,
    chief: Staff,
    director: Staff,
    caseworker: Staff,
    school: Unit,
    family_dept: Unit,
    centre: Unit,
    administration: Unit,
) -> Ids:
    """The objects of leading across sectors in the table, made through the actions.

    The school's leaders' forum (chair: the chief, member: the school's
    leader) covering the school, with a budget and a grant limit, escalating
    to a steering group; a decision of it; two obstacles the teacher raised
    on its board, one taken by the school's leader; the leader's trial of the
    school and its grant application to the forum; an effort of Alma's plan
    run and paid by the school (payer not agreed), a goal of hers and a
    contradiction between them; Alma's handover from the family department
    to the family centre, and one from the centre that is overdue; a contact
    the teacher logged with her (sent to her plan's coordinator); the
    school's contact point in the directory.
    """
    on = today()
    steering = do_create_forum(
        actor=director,
        name="Styregruppen (matrix)",
        kind=Forum.Kind.STEERING_GROUP,
        cadence=Forum.Cadence.MONTHLY,
        mandate="Tager de knaster, ledergrupperne ikke kan løse.",
    )
    do_set_member(actor=director, forum=steering, staff=director, role="chair")
    forum = do_create_forum(
        actor=chief,
        name="Skolens ledergruppe (matrix)",
        kind=Forum.Kind.LEADERS_GROUP,
        cadence=Forum.Cadence.WEEKLY,
        mandate="Fjerner knaster for skolen og bevilger til prøvehandlinger.",
        units=[school],
        escalates_to=steering,
        yearly_budget=Decimal(400_000),
        grant_limit=Decimal(250_000),
    )
    do_set_member(actor=chief, forum=forum, staff=chief, role="chair")
    do_set_member(actor=chief, forum=forum, staff=leader, role="member")
    decision = do_record_decision(
        actor=chief, forum=forum, text="Skolen afprøver morgenmad", mandate_basis="Mandatet"
    )
    obstacle = do_raise_item(
        actor=teacher,
        forum=forum,
        title="Ingen betaler for skolebussen",
        description="Skole og familieafdeling er uenige om, hvem der betaler.",
        affected="Elever i dagbehandling",
    )
    taken = do_raise_item(
        actor=teacher,
        forum=forum,
        title="Vikarer får ikke adgang til systemet",
        description="Vikarerne kan ikke se elevplanerne.",
        affected="Vikarer",
    )
    do_take_item(actor=leader, item=taken)
    trial = do_create_trial(
        actor=leader,
        title="Morgenmad i skolen",
        hypothesis="Med morgenmad kommer flere elever til tiden.",
        owner=leader,
        units=[school],
        starts_on=on - dt.timedelta(days=30),
        ends_on=on + dt.timedelta(days=300),
        budget=Decimal(100_000),
    )
    application = do_apply_for_grant(
        actor=leader, trial=trial, forum=forum, amount=Decimal(50_000), reason="Mad og personale"
    )
    effort = do_add_effort(
        actor=coordinator,
        plan=plan,
        expected_version=plan.version,
        title="AKT-støtte i klassen",
        responsible_unit=school,
        legal_basis=LegalBasis.FOLKESKOLELOVEN,
        starts_on=on,
        monthly_cost=Decimal(5_000),
        paying_unit=school,
    )
    plan.refresh_from_db()
    goal = do_add_goal(
        actor=coordinator,
        plan=plan,
        expected_version=plan.version,
        text="Jeg vil have fri om tirsdagen",
        formulated_by=Goal.FormulatedBy.CHILD,
        formulated_by_name="Barnet",
        target_date=on + dt.timedelta(days=90),
    )
    contradiction = do_flag_contradiction(
        actor=coordinator,
        plan=plan,
        effort=effort,
        goal=goal,
        description="Støtten ligger om tirsdagen",
    )
    handover = do_start_handover(
        actor=caseworker,
        citizen=plan.members.get().citizen,
        kind=Handover.Kind.OTHER,
        from_unit=family_dept,
        to_unit=centre,
        deadline=on + dt.timedelta(days=14),
        plan=plan,
    )
    youth = make_unit(OVERDUE_TO, parent=administration, sector="school")
    overdue = do_start_handover(
        actor=coordinator,
        citizen=plan.members.get().citizen,
        kind=Handover.Kind.SCHOOL_TO_YOUTH,
        from_unit=centre,
        to_unit=youth,
        deadline=on + dt.timedelta(days=1),
        plan=plan,
    )
    # Two weeks on: its deadline has passed, and it is still waiting.
    Handover.objects.filter(pk=overdue.pk).update(deadline=on - dt.timedelta(days=14))
    contact = do_log_contact(
        actor=teacher,
        citizen=plan.members.get().citizen,
        unit=school,
        contacted_on=on,
        channel=Contact.Channel.PHONE,
        purpose=CONTACT_PURPOSE,
    )
    assert contact.coordinator_id == coordinator.pk, "the contact was not sent to the coordinator"
    point = do_add_contact_point(actor=leader, unit=school, name=POINT_NAME, phone="45 00 00 00")
    return {
        "forum": forum.pk,
        "decision": decision.pk,
        "obstacle": obstacle.pk,
        "obstacle_taken": taken.pk,
        "trial": trial.pk,
        "application": application.pk,
        "settlement": effort.pk,
        "contradiction": contradiction.pk,
        "handover": handover.pk,
        "overdue": overdue.pk,
        "contact": contact.pk,
        "point": point.pk,
    }


def make_analytics(*, school: Unit, administration: Unit, root: Unit) -> Unit:
    """Published cells of Alma's school, a sibling school and both municipalities' roots.

    Each has a shown value of absence in 2025-Q3; Rudersdal and Hvidovre have
    profiles, so each is the other's comparable municipality. Returns the
    sibling school.
    """
    sibling = make_unit(SIBLING_SCHOOL, parent=administration, sector="school")
    other_root = Unit.objects.get(municipality__code=167, parent=None)
    for unit, value in ((school, "12.5"), (sibling, "8.25"), (root, "10"), (other_root, "11")):
        make_cell(unit, "2025-Q3", value, persons=80, numerator="8", denominator="80")
    make_profiles((230, 56_000, "0.91"), (167, 53_000, "1.12"))
    return sibling


# --------------------------------------------------------------------------- reading the table


def parse_table(text: str) -> dict[tuple[str, str, str, str], Any]:
    """The table as cells: (subject, object, action, channel) -> expected. Duplicates raise."""
    cells: dict[tuple[str, str, str, str], Any] = {}
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        parts = [p.strip() for p in line.split("|")]
        if len(parts) != 6:
            raise ValueError(f"table line {number}: six columns expected: {line}")
        obj, action, channels, who, expected, rule = parts
        if obj not in OBJECTS or action not in ACTIONS or rule not in RULES:
            raise ValueError(f"table line {number}: unknown object, action or rule: {line}")
        value: Any = int(expected) if expected.isdigit() else expected
        for channel in CHANNELS if channels == "both" else (channels,):
            if (obj, action, channel) not in ROUTES:
                raise ValueError(f"table line {number}: no route for {obj} {action} {channel}")
            for subject in subjects_of(who):
                key = (subject, obj, action, channel)
                if key in cells:
                    raise ValueError(f"table line {number}: {key} is in the table twice")
                cells[key] = value
    return cells


def subjects_of(words: str) -> list[str]:
    chosen: list[str] = []
    for word in words.split():
        if word.startswith("-"):
            chosen.remove(word[1:])
        elif word in GROUPS:
            chosen.extend(GROUPS[word])
        elif word in SUBJECTS:
            chosen.append(word)
        else:
            raise ValueError(f"unknown subject {word!r}")
    return chosen


TABLE = parse_table(ALLOWED)
SEES = (200, "redacted", "listed")


def expected(subject: str, obj: str, action: str, channel: str) -> Any:
    """The table's cell, or the denial for a cell not in it (see the module docstring)."""
    if (subject, obj, action, channel) in TABLE:
        return TABLE[(subject, obj, action, channel)]
    if subject == "anonymous":
        return "login"
    if action == "list":
        return "not listed"
    if action == "change" and any(
        TABLE.get((subject, obj, other, ch)) in SEES
        for other in ("view", "list")
        for ch in CHANNELS
    ):
        return 403
    return 404


# --------------------------------------------------------------------------- the test


@dataclass
class Cell:
    subject: str
    obj: str
    action: str
    channel: str
    expected: Any
    actual: Any = None
    status: int = 0
    leak: bool = False
    seconds: float = 0.0


class AccessMatrixTest(BaseTestCase):
    """The whole matrix in one method: one shared world, one savepoint per cell."""

    ids: ClassVar[Ids]
    versions: ClassVar[dict[str, int]]
    users: ClassVar[dict[str, User | None]]
    tokens: ClassVar[dict[str, str]]
    leak_markers: ClassVar[dict[str, list[str]]]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        rudersdal = municipality(230)
        on = today()
        yesterday = on - dt.timedelta(days=1)
        for code in ("cors", "ors"):
            ScaleActivation.objects.create(
                municipality=rudersdal, scale=Scale.objects.get(code=code)
            )
        centre = make_unit("Familiecentret", parent=cls.children_admin, sector="social")
        ppr = make_unit("PPR", parent=cls.children_admin, sector="ppr")
        club = make_unit("Klubben", parent=cls.children_admin, sector="culture_leisure")
        health = make_unit("Sundhedsplejen", parent=cls.children_admin, sector="health")
        watch = make_unit("Socialvagten", parent=cls.children_admin, sector="social")
        coordinator = make_staff(
            "Kim", "Krogh", unit=centre, role="coordinator", username="coordinator"
        )
        participant = make_staff(
            "Pia", "Prip", unit=ppr, role="psychologist", username="participant"
        )
        withdrawn = make_staff("Villy", "Vang", unit=club, role="pedagogue", username="withdrawn")
        expired = make_staff("Ester", "Eng", unit=health, role="health_visitor", username="expired")
        dental = make_unit("Tandplejen", parent=cls.children_admin, sector="health")
        scope = make_staff("Dina", "Dam", unit=dental, role="health_visitor", username="scope")
        consented = make_staff("Carl", "Cold", unit=centre, role="caseworker", username="consented")
        glass = make_staff("Gert", "Glas", username="glass")
        give_emergency_role(glass, watch)
        oncall = make_staff("Olga", "Vagt", username="oncall")
        give_emergency_role(oncall, watch)

        # Access that rests on a consent withdrawn yesterday, and access that ended yesterday.
        old_consent = make_consent(
            cls.alma,
            given_by=cls.mother,
            sectors=("culture_leisure",),
            purpose="Klubben må tale med skolen",
            withdrawn_on=yesterday,
        )
        do_start_engagement(
            citizen=cls.alma,
            staff=withdrawn,
            kind=Engagement.Kind.LEISURE,
            valid_from=EPOCH,
            consent=old_consent,
        )
        engage(cls.alma, staff=expired, kind=Engagement.Kind.HEALTH, valid_to=yesterday)
        # Alma's mother consents to sharing between school and social services; an
        # engagement of a health unit resting on that consent is outside its scope.
        consent = make_consent(cls.alma, given_by=cls.mother, purpose=CONSENT_PURPOSE)
        do_start_engagement(
            citizen=cls.alma, staff=consented, kind="casework", valid_from=EPOCH, consent=consent
        )
        do_start_engagement(
            citizen=cls.alma, unit=dental, kind="health", valid_from=EPOCH, consent=consent
        )

        # The family logins: Alma herself, her brother, and a stranger.
        child = make_family_login(cls.alma, "alma")
        sibling = make_family_login(cls.bror, "bror")
        stranger = make_family_login(
            make_citizen("Ulla", "Ukendt", birth_date=dt.date(1990, 1, 1)), "stranger"
        )

        # Alma's plan and everything on it, and her brother's plan.
        plan = make_plan(
            cls.alma,
            coordinator=coordinator,
            title="Trivsel og skolegang (matrix)",
            participants=[(participant, ppr)],
        )
        sibling_plan = make_plan(cls.bror, coordinator=coordinator, title="Bos fritid (matrix)")
        meeting = do_schedule_meeting(
            actor=coordinator,
            plan=plan,
            starts_at=timezone.now() + dt.timedelta(days=7),
            place="Rådhuset",
            agenda="Opfølgning",
            staff_participants=[(coordinator, "")],
            family_participants=[(cls.mother, "Mor")],
        )
        action = do_add_action(
            actor=coordinator,
            plan=plan,
            description=ACTION_TEXT,
            owner=cls.teacher,
            due_on=on + dt.timedelta(days=3),
        )
        story = do_write_story(
            actor=coordinator, plan=plan, title="En god uge", text="Barnet kom i skole"
        )
        rating = do_record_rating(
            user=coordinator.user,
            plan=plan,
            scale=Scale.objects.get(code="cors"),
            citizen=cls.alma,
            scores=[5, 5, 5, 5],
            rated_on=on,
            given_by="Barnet",
        )
        concern = do_log_concern(
            actor=cls.teacher,
            citizen=cls.alma,
            unit=cls.school,
            observation="Græder i frikvarteret",
            category=Concern.Category.WELLBEING,
            severity=Concern.Severity.HIGH,
            parents_informed=True,
            follow_up_owner=cls.caseworker,
            follow_up_on=on + dt.timedelta(days=7),
        )
        referral = do_send_referral(
            actor=cls.teacher,
            citizen=cls.alma,
            from_unit=cls.school,
            to_unit=cls.family_dept,
            question="Har familien brug for støtte?",
            legal_basis=LegalBasis.BARNETS_LOV,
        )
        do_break_glass(actor=glass, citizen=cls.alma, reason=GLASS_REASON)

        # The results chain and an approved status report for the committee.
        absence = indicator("fravaer-over-10")
        committee = Committee.objects.create(municipality=rudersdal, name="Børneudvalget")
        ambition = Ambition.objects.create(
            municipality=rudersdal,
            committee=committee,
            title="Alle børn i skole",
            first_year=2022,
            last_year=2030,
            owner=cls.chief,
        )
        ambition.units.set([cls.children_admin])
        marker = Marker.objects.create(ambition=ambition, owner=cls.chief, title="Mindre fravær")
        marker.indicators.set([absence])
        for period in ("2025-Q1", "2025-Q2", "2025-Q3"):
            record_value(absence, cls.school, period, 12)
        [report] = do_generate_reports(on, rudersdal)
        do_write_narrative(actor=cls.chief, report=report, marker=marker, text="Fraværet falder")
        report = do_submit_report(actor=cls.chief, report=report)
        report = do_approve_report(actor=cls.director, report=report)
        assert report.status == StatusReport.Status.APPROVED

        leadership = make_leadership(
            leader=cls.leader,
            teacher=cls.teacher,
            chief=cls.chief,
            school=cls.school,
            administration=cls.children_admin,
        )

        across = make_across(
            plan=plan,
            coordinator=coordinator,
            leader=cls.leader,
            teacher=cls.teacher,
            chief=cls.chief,
            director=cls.director,
            caseworker=cls.caseworker,
            school=cls.school,
            family_dept=cls.family_dept,
            centre=centre,
            administration=cls.children_admin,
        )

        sibling_school = make_analytics(
            school=cls.school, administration=cls.children_admin, root=cls.root
        )

        cls.ids = {
            **leadership,
            **across,
            "sibling_school": sibling_school.pk,
            "citizen": cls.alma.pk,
            "mother": cls.mother.pk,
            "plan": plan.pk,
            "sibling_plan": sibling_plan.pk,
            "meeting": meeting.pk,
            "action": action.pk,
            "concern": concern.pk,
            "referral": referral.pk,
            "story": story.pk,
            "consent": consent.pk,
            "rating": rating.pk,
            "school": cls.school.pk,
            "school_sector": cls.school.sector_id or 0,
            "indicator": absence.pk,
            "report": report.pk,
        }
        cls.versions = {
            key: p.version
            for key, p in (
                ("plan", Plan.objects.get(pk=plan.pk)),
                ("sibling_plan", Plan.objects.get(pk=sibling_plan.pk)),
            )
        }
        staff: dict[str, Staff] = {
            "personal": cls.caseworker,
            "unit": cls.teacher,
            "colleague": cls.colleague,
            "coordinator": coordinator,
            "participant": participant,
            "withdrawn": withdrawn,
            "expired": expired,
            "scope": scope,
            "consented": consented,
            "glass": glass,
            "oncall": oncall,
            "leader": cls.leader,
            "chief": cls.chief,
            "director": cls.director,
            "analyst": cls.analyst,
            "politician": cls.politician,
            "outsider": cls.outsider,
        }
        cls.users = {name: s.user for name, s in staff.items()}
        cls.users.update(
            guardian=cls.guardian,
            child=child,
            sibling=sibling,
            stranger=stranger,
            admin=cls.admin,
            anonymous=None,
        )
        assert set(cls.users) == set(SUBJECTS)
        cls.tokens = {
            name: ApiToken.issue(user, "access matrix")[1]
            for name, user in cls.users.items()
            if user is not None
        }
        # A short first name ("Bo") occurs in ordinary words: then the full name.
        cls.leak_markers = {
            key: [
                c.first_name if len(c.first_name) > 3 else c.full_name,
                c.cpr,
                c.cpr.replace("-", ""),
            ]
            for key, c in (("alma", cls.alma), ("bror", cls.bror))
        }

    # ------------------------------------------------------------------ asking

    def ask(self, client: Client, route: Route, cell: Cell) -> list[TestResponse]:
        """The answers to one cell: one request, or one per page of a list in several pages.

        Each runs in a savepoint that is rolled back, so a change (and the audit
        entries any request writes) never reaches the next cell. A GET already
        asked by the same subject is answered from ``self.seen`` (the view and
        the list of a page are often one request).
        """
        answers = []
        page: Route | None = subject_route(route, cell.subject)
        while page is not None:
            key = (cell.subject, cell.channel, page.method, page.url(self))
            if page.method == "GET" and key in self.seen:
                answers.append(self.seen[key])
            else:
                with transaction.atomic():
                    answers.append(self.send(client, page, cell))
                    transaction.set_rollback(True)
                if page.method == "GET":
                    self.seen[key] = answers[-1]
            page = page.more
        return answers

    def send(self, client: Client, route: Route, cell: Cell) -> TestResponse:
        url = route.url(self)
        if cell.channel == "web":
            if route.method == "GET":
                return client.get(url)
            return client.post(url, route.body(self) if route.body is not None else {})
        headers = {"accept": "application/json"}
        if cell.subject in self.tokens:
            headers["authorization"] = f"Bearer {self.tokens[cell.subject]}"
        if route.method == "GET":
            return client.get(url, headers=headers)
        body = route.body(self) if route.body is not None else {}
        return client.post(url, body, content_type="application/json", headers=headers)

    def judge(self, cell: Cell, route: Route, answers: list[TestResponse]) -> None:
        """What the answers mean, in the table's words; and whether they leak the child."""
        first = answers[0]
        status = cell.status = first.status_code
        if status == 401 or (status == 302 and first["Location"].startswith(reverse("login"))):
            cell.actual = "login"
        elif status >= 500:
            cell.actual = status
        elif cell.action == "list":
            finds = subject_route(route, cell.subject).finds
            assert finds is not None, f"no finder for the {cell.obj} list"
            listed = any(a.status_code == 200 and finds(self, a) for a in answers)
            cell.actual = "listed" if listed else "not listed"
        elif cell.action == "change":
            allowed = route.allowed or ALLOWED_STATUS[cell.channel]
            cell.actual = "allowed" if status in allowed else status
        else:
            cell.actual = status
            shows = subject_route(route, cell.subject).finds
            if status == 200 and shows is not None and not shows(self, first):
                cell.actual = "empty"
        hidden = [
            m
            for child in ("alma", "bror")
            if self.hides(cell, child)
            for m in self.leak_markers[child]
        ]
        bodies = [a.content.decode(errors="replace") for a in answers]
        cell.leak = any(m in body for m in hidden for body in bodies)
        if cell.actual == 200 and cell.expected == "redacted" and not cell.leak:
            cell.actual = "redacted"

    @staticmethod
    def hides(cell: Cell, child: str) -> bool:
        """Whether the answers of ``cell`` must not name ``child`` (see ``MAY_NAME``)."""
        if OWN_CITIZEN.get(cell.subject) == child or (
            child == "bror" and cell.obj != "sibling_plan"
        ):
            return False
        if cell.obj in AGGREGATES or cell.subject not in MAY_NAME[child]:
            return True
        where = MAY_NAME[child][cell.subject]
        return where is not None and cell.obj not in where

    def run_matrix(self) -> list[Cell]:
        """Ask every cell, subject by subject (one sign-in each)."""
        self.seen: dict[tuple[str, str, str, str], TestResponse] = {}
        web, api = Client(), Client()
        done: list[Cell] = []
        for subject in SUBJECTS:
            web.logout()
            user = self.users[subject]
            if user is not None:
                web.force_login(user)
            for (obj, action, channel), route in ROUTES.items():
                cell = Cell(subject, obj, action, channel, expected(subject, obj, action, channel))
                started = time.monotonic()
                answers = self.ask(web if channel == "web" else api, route, cell)
                cell.seconds = time.monotonic() - started
                self.judge(cell, route, answers)
                done.append(cell)
        return done

    # Two costs no cell depends on, left out to keep the matrix fast: charts, drawn
    # by vl-convert in about a second each, and the test client's copy of every
    # template context it renders (the matrix reads answers, not contexts). No cache,
    # so the stand-in drawings are not kept for the analytics tests that run later.
    @override_settings(CACHES=NO_CACHE)
    @mock.patch("vl_convert.vegalite_to_svg", return_value="<svg></svg>")
    @mock.patch("django.test.client.store_rendered_templates")
    def test_every_cell_answers_as_the_table_says(self, *_patches: mock.Mock) -> None:
        started, cpu = time.monotonic(), time.process_time()
        cells = self.run_matrix()
        report = os.environ.get("HELHED_MATRIX_REPORT")
        if report:
            elapsed = (time.monotonic() - started, time.process_time() - cpu)
            write_report(report, cells, elapsed)
        for cell in cells:
            key = (cell.subject, cell.obj, cell.action, cell.channel)
            with self.subTest(
                subject=cell.subject, obj=cell.obj, action=cell.action, via=cell.channel
            ):
                if key in KNOWN_GAPS:
                    self.assertNotEqual(cell.actual, cell.expected, "the gap is closed: remove it")
                    self.assertEqual(cell.actual, KNOWN_GAPS[key], "the known gap changed")
                    continue
                self.assertEqual(cell.actual, cell.expected, f"HTTP {cell.status}")
                self.assertFalse(cell.leak, f"the child's name or CPR in a {cell.actual} answer")


def subject_route(route: Route, subject: str) -> Route:
    """The family logins' own page where there is one; everyone else's otherwise."""
    return route.family if subject in FAMILY and route.family is not None else route


def write_report(path: str, cells: list[Cell], elapsed: tuple[float, float]) -> None:
    """Every cell's expected and actual answer, and where the time went."""
    per_route: dict[tuple[str, str, str], float] = {}
    for c in cells:
        key = (c.obj, c.action, c.channel)
        per_route[key] = per_route.get(key, 0.0) + c.seconds
    with open(path, "w", encoding="utf-8") as out:
        out.write(f"# {len(cells)} cells in {elapsed[0]:.1f} s ({elapsed[1]:.1f} s of CPU)\n")
        for c in cells:
            mark = "" if c.actual == c.expected and not c.leak else "  <-- MISMATCH"
            leak = " LEAK" if c.leak else ""
            out.write(
                f"{c.subject:12} {c.obj:13} {c.action:7} {c.channel:4} "
                f"expected={c.expected!s:11} actual={c.actual!s:11} http={c.status}{leak}{mark}\n"
            )
        out.write("# seconds per route, slowest first\n")
        for key, seconds in sorted(per_route.items(), key=lambda kv: -kv[1]):
            out.write(f"# {' '.join(key):30} {seconds:6.2f}\n")
