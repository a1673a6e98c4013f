"""The statements of the leadership self-assessment: how do we lead across sectors?

A chiefs' group (or any forum) answers each statement from 1 (disagree
completely) to 5 (agree completely) before a meeting, and the spread of the
answers starts the conversation. The statements come from what the
municipalities that lead across say works: solve first and settle later
(Rudersdal's chief: "no citizen may stand between two or three
administrations because nobody knows who pays"), equal footing across
administrations (Aabenraa), removing the snags the staff raise (Morsø).

They are shipped in Danish, the language the groups meet in, with an English
version for English pages. The codes are stored with every answer, so a code
is never reused for another statement; a statement retired later keeps its
code and its answers.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import get_language


@dataclass(frozen=True)
class Statement:
    code: str
    da: str
    en: str

    @property
    def text(self) -> str:
        """The statement in the active language (Danish unless the page is English)."""
        return self.en if (get_language() or "da").startswith("en") else self.da


STATEMENTS: tuple[Statement, ...] = (
    Statement(
        "solve-first",
        "Vi løser borgerens problem først og afklarer betalingen bagefter.",
        "We solve the citizen's problem first and settle who pays afterwards.",
    ),
    Statement(
        "one-plan",
        "Vores medarbejdere arbejder ud fra én fælles plan med borgeren, ikke hver sin.",
        "Our staff work from one shared plan with the citizen, not one each.",
    ),
    Statement(
        "equal-footing",
        "Vi møder de andre forvaltninger i øjenhøjde, også når det er deres budget, der betaler.",
        "We meet the other administrations on equal footing, also when their budget pays.",
    ),
    Statement(
        "remove-obstacles",
        "Når en medarbejder rejser en knast, tager en leder den, og medarbejderen får svar.",
        "When a member of staff raises an obstacle, a leader takes it and they get an answer.",
    ),
    Statement(
        "shared-goals",
        "Vi har fælles mål på tværs af sektorer, og vi følger op på dem sammen.",
        "We have shared goals across sectors, and we follow them up together.",
    ),
    Statement(
        "room-to-act",
        "Vores medarbejdere har mandat til at handle på tværs uden at spørge os først.",
        "Our staff have a mandate to act across sectors without asking us first.",
    ),
    Statement(
        "data-together",
        "Vi ser på de samme tal og taler om, hvad de betyder for borgerne.",
        "We look at the same numbers and talk about what they mean for the citizens.",
    ),
    Statement(
        "learn-from-trials",
        "Vi afprøver nye veje sammen og stopper dem, der ikke virker.",
        "We try new ways together and stop those that do not work.",
    ),
)

CODES: tuple[str, ...] = tuple(statement.code for statement in STATEMENTS)
BY_CODE: dict[str, Statement] = {statement.code: statement for statement in STATEMENTS}
SCORES: tuple[int, ...] = (1, 2, 3, 4, 5)
