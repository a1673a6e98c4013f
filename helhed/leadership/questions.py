"""The shipped reflection questions for the four professional leadership tasks.

The questions follow the four tasks of professional leadership that KL and
the unions name (ownership and meaning; methods with value for citizens;
learning and evaluation; holistic cross-disciplinary solutions). They are
shipped in Danish, the language the leader teams meet in, and installed per
municipality, which may then add its own or retire ours: so they are data,
not translated interface text.
"""

from __future__ import annotations

from django.db import transaction

from helhed.leadership.models import LeadershipTask, ReflectionQuestion
from helhed.organisation.models import Municipality

SHIPPED_QUESTIONS: dict[str, tuple[str, ...]] = {
    LeadershipTask.OWNERSHIP: (
        "Hvordan skaber vi ejerskab og mening for medarbejderne i de mål, vi arbejder med?",
        "Hvordan kan medarbejderne se, at deres arbejde gør en forskel for borgerne?",
        "Hvilke beslutninger kan vi flytte tættere på dem, der møder borgerne?",
        "Hvor oplever medarbejderne regler eller dokumentation, der ikke giver mening?",
    ),
    LeadershipTask.METHODS: (
        "Hvilke metoder bruger vi, og hvad ved vi om deres værdi for borgerne?",
        "Hvordan sikrer vi, at vi bruger metoderne, som de er tænkt?",
        "Hvad skal vi holde op med at gøre, fordi det ikke skaber værdi for borgerne?",
    ),
    LeadershipTask.LEARNING: (
        "Hvad fortæller vores data os, og hvad fortæller de os ikke?",
        "Hvordan lærer vi af det, der ikke lykkes, uden at lede efter skyldige?",
        "Hvordan følger vi op på, om vores indsatser virker, uden at dokumentere for meget?",
        "Hvad har vi lært siden sidste møde, som vi vil gøre anderledes?",
    ),
    LeadershipTask.HOLISTIC: (
        "Hvor falder borgerne mellem to stole hos os, og hvem tager ansvaret?",
        "Hvordan samarbejder vi med de andre fagområder om de borgere, vi har fælles?",
        "Hvilke fælles principper med andre enheder mangler vi?",
    ),
}


@transaction.atomic
def install_questions(municipality: Municipality) -> int:
    """Install the shipped questions for ``municipality``; return how many were added.

    Idempotent: a question already there (active or retired) is left as it
    is, so running it again never brings back a question the municipality
    retired, nor duplicates one.
    """
    added = 0
    for task, texts in SHIPPED_QUESTIONS.items():
        for position, text in enumerate(texts, start=1):
            _question, created = ReflectionQuestion.objects.get_or_create(
                municipality=municipality,
                task=task,
                text=text,
                defaults={"sort_order": position * 10},
            )
            added += int(created)
    return added


def ensure_questions(municipality: Municipality) -> None:
    """Install the shipped questions if the municipality has none at all (lazily, once)."""
    if not ReflectionQuestion.objects.filter(municipality=municipality).exists():
        install_questions(municipality)
