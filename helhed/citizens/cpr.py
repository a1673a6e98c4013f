"""Danish CPR numbers (personnumre): parsing, validation and synthetic numbers.

A CPR number is DDMMYY-SSSS. The century follows from the seventh digit and
the two-digit year (the CPR office's table). Until 1 October 2007 every number
satisfied the modulus-11 check; since then the CPR office issues numbers
without it, so far only for people born on 1 January. We therefore enforce
modulus 11 except for 1 January birth dates, and never reject a number only
because a check digit "fails" there (the CPR office asks systems not to).
The tenth digit is odd for men and even for women.
"""

from __future__ import annotations

import datetime as dt
import random
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

WEIGHTS = (4, 3, 2, 7, 6, 5, 4, 3, 2, 1)
# [0-9], not \d: \d also matches digits of other scripts, which would parse
# but hash differently from the same number in ASCII.
_SHAPE = re.compile(r"([0-9]{6})-?([0-9]{4})")


@dataclass(frozen=True)
class CprInfo:
    number: str  # ten digits, no dash
    birth_date: dt.date
    sex: str  # "M" or "F"

    @property
    def formatted(self) -> str:
        return f"{self.number[:6]}-{self.number[6:]}"


def normalise(raw: str) -> str:
    """Strip spaces; accept "DDMMYYSSSS" and "DDMMYY-SSSS"; return ten digits or raise."""
    text = (raw or "").strip().replace(" ", "")
    match = _SHAPE.fullmatch(text)
    if not match:
        raise ValidationError(
            _("A CPR number has ten digits, written DDMMYY-SSSS."), code="cpr_shape"
        )
    return match.group(1) + match.group(2)


def century(two_digit_year: int, seventh_digit: int) -> int:
    """The century of birth by the CPR office's table."""
    if seventh_digit <= 3:
        return 1900
    if seventh_digit in (4, 9):
        return 2000 if two_digit_year <= 36 else 1900
    # 5, 6, 7, 8
    if two_digit_year <= 57:
        return 2000
    return 1800


def modulus11_applies(birth_date: dt.date) -> bool:
    """Numbers without a valid check digit are issued only for 1 January birth dates."""
    return not (birth_date.month == 1 and birth_date.day == 1)


def passes_modulus11(number: str) -> bool:
    return sum(int(d) * w for d, w in zip(number, WEIGHTS, strict=True)) % 11 == 0


def parse(raw: str) -> CprInfo:
    """Validate a CPR number and return its birth date and sex; raise ValidationError."""
    number = normalise(raw)
    day, month, year = int(number[0:2]), int(number[2:4]), int(number[4:6])
    full_year = century(year, int(number[6])) + year
    try:
        birth_date = dt.date(full_year, month, day)
    except ValueError as exc:
        raise ValidationError(
            _("The first six digits of a CPR number must be a real date (DDMMYY)."),
            code="cpr_date",
        ) from exc
    if modulus11_applies(birth_date) and not passes_modulus11(number):
        raise ValidationError(
            _("The CPR number's check digit is wrong (modulus 11). Check for a typing error."),
            code="cpr_checksum",
        )
    return CprInfo(number=number, birth_date=birth_date, sex="M" if int(number[9]) % 2 else "F")


def validate_cpr(raw: str) -> None:
    """A Django field validator."""
    parse(raw)


def seventh_digits_for(birth_year: int) -> list[int]:
    """The seventh digits the table allows for a given birth year."""
    yy = birth_year % 100
    return [d for d in range(10) if century(yy, d) + yy == birth_year]


def synthetic(birth_date: dt.date, sex: str, rng: random.Random) -> str:
    """A CPR number that is valid in form (date, century, modulus 11, sex digit).

    Used for demo and test data. Such a number may by chance match a real
    person's, but it is never linked to real data.
    """
    prefix = birth_date.strftime("%d%m%y")
    sevenths = seventh_digits_for(birth_date.year)
    if not sevenths:
        raise ValueError(f"No CPR numbers exist for birth year {birth_date.year}")
    for _attempt in range(1000):
        serial = f"{rng.choice(sevenths)}{rng.randrange(100):02d}"
        for last in rng.sample(range(10), 10):
            if (last % 2 == 1) != (sex == "M"):
                continue
            number = f"{prefix}{serial}{last}"
            if passes_modulus11(number):
                return number
    raise ValueError("Could not find a synthetic CPR number")  # pragma: no cover
