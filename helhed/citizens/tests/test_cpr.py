"""CPR numbers: century table, real dates, modulus 11, shape, sex and synthetic numbers."""

from __future__ import annotations

import datetime as dt
import random

from django.core.exceptions import ValidationError
from django.test import SimpleTestCase
from hypothesis import given
from hypothesis import strategies as st

from helhed.citizens import cpr as cprlib

# A number the CPR office's own examples use: 7 July 1961, a man, modulus 11 holds.
KNOWN_VALID = "0707614285"


def with_check_digit(ddmmyy: str, seventh: int) -> str:
    """A number with this date and seventh digit that passes modulus 11."""
    for serial in range(100):
        for last in range(10):
            number = f"{ddmmyy}{seventh}{serial:02d}{last}"
            if cprlib.passes_modulus11(number):
                return number
    raise AssertionError("no check digit found")  # pragma: no cover


def failing_check_digit(ddmmyy: str) -> str:
    """A number with this date whose serial fails modulus 11."""
    for serial in range(1000):
        number = f"{ddmmyy}{serial:03d}0"
        if not cprlib.passes_modulus11(number):
            return number
    raise AssertionError("no failing number found")  # pragma: no cover


def error_code(raw: str) -> str | None:
    try:
        cprlib.parse(raw)
    except ValidationError as exc:
        return exc.code
    return None


class CenturyTableTests(SimpleTestCase):
    # (seventh digit, two-digit year, expected birth year): every row of the table,
    # at both edges of each year range.
    TABLE = [
        *[(d, yy, 1900 + yy) for d in (0, 1, 2, 3) for yy in (0, 36, 37, 57, 58, 99)],
        *[(d, yy, 2000 + yy) for d in (4, 9) for yy in (0, 36)],
        *[(d, yy, 1900 + yy) for d in (4, 9) for yy in (37, 99)],
        *[(d, yy, 2000 + yy) for d in (5, 6, 7, 8) for yy in (0, 57)],
        *[(d, yy, 1800 + yy) for d in (5, 6, 7, 8) for yy in (58, 99)],
    ]

    def test_it_follows_the_cpr_office_century_table(self) -> None:
        for seventh, yy, year in self.TABLE:
            with self.subTest(seventh=seventh, yy=yy):
                assert cprlib.century(yy, seventh) + yy == year

    def test_it_derives_the_birth_year_from_the_table_when_parsing(self) -> None:
        for seventh, yy, year in self.TABLE:
            with self.subTest(seventh=seventh, yy=yy):
                number = with_check_digit(f"1503{yy:02d}", seventh)
                assert cprlib.parse(number).birth_date == dt.date(year, 3, 15)

    def test_it_lists_only_the_seventh_digits_the_table_allows(self) -> None:
        assert cprlib.seventh_digits_for(1961) == [0, 1, 2, 3, 4, 9]
        assert cprlib.seventh_digits_for(2010) == [4, 5, 6, 7, 8, 9]
        assert cprlib.seventh_digits_for(1870) == [5, 6, 7, 8]
        assert cprlib.seventh_digits_for(2040) == [5, 6, 7, 8]
        assert cprlib.seventh_digits_for(2060) == []


class RealDateTests(SimpleTestCase):
    def test_it_rejects_31_february(self) -> None:
        assert error_code(with_check_digit("310299", 0)) == "cpr_date"

    def test_it_rejects_month_13_and_day_0(self) -> None:
        assert error_code(with_check_digit("011399", 0)) == "cpr_date"
        assert error_code(with_check_digit("000199", 0)) == "cpr_date"

    def test_it_accepts_29_february_2000_a_leap_year(self) -> None:
        number = with_check_digit("290200", 4)
        assert cprlib.parse(number).birth_date == dt.date(2000, 2, 29)

    def test_it_rejects_29_february_1900_which_was_not_a_leap_year(self) -> None:
        # 290200 with a seventh digit 0-3 is 29 February 1900.
        for seventh in (0, 1, 2, 3):
            with self.subTest(seventh=seventh):
                assert error_code(with_check_digit("290200", seventh)) == "cpr_date"

    def test_it_accepts_29_january_1900(self) -> None:
        number = with_check_digit("290100", 0)
        assert cprlib.parse(number).birth_date == dt.date(1900, 1, 29)


class Modulus11Tests(SimpleTestCase):
    def test_it_accepts_a_known_valid_number(self) -> None:
        info = cprlib.parse(KNOWN_VALID)
        assert info.number == KNOWN_VALID
        assert info.birth_date == dt.date(1961, 7, 7)
        assert info.formatted == "070761-4285"

    def test_it_rejects_a_typing_error_in_a_known_valid_number(self) -> None:
        assert error_code("0707614286") == "cpr_checksum"
        assert error_code("0707614258") == "cpr_checksum"

    def test_it_accepts_a_failing_check_digit_on_1_january(self) -> None:
        number = failing_check_digit("010165")
        assert not cprlib.passes_modulus11(number)
        assert cprlib.parse(number).birth_date == dt.date(1965, 1, 1)

    def test_it_rejects_the_same_serial_on_another_date(self) -> None:
        serial = failing_check_digit("010165")[6:]
        for ddmmyy in ("020165", "010265", "311265"):
            number = ddmmyy + serial
            with self.subTest(number=number):
                assert not cprlib.passes_modulus11(number)
                assert error_code(number) == "cpr_checksum"


class ShapeTests(SimpleTestCase):
    def test_it_rejects_malformed_numbers(self) -> None:
        for raw in (
            "",
            "   ",
            "07076142a5",
            "abcdefghij",
            "070761428",  # nine digits
            "07076142855",  # eleven digits
            "0707-614285",  # dash in the wrong place
            "07076-14285",
            "070761--4285",
            "070761/4285",
            "-0707614285",
        ):
            with self.subTest(raw=raw):
                assert error_code(raw) == "cpr_shape"

    def test_it_rejects_digits_from_other_scripts(self) -> None:
        # Arabic-Indic digits for 0707614285: they would otherwise hash differently
        # from the same number in ASCII and let a citizen be registered twice.
        raw = "".join(chr(0x0660 + int(d)) for d in KNOWN_VALID)
        assert error_code(raw) == "cpr_shape"

    def test_it_normalises_the_accepted_forms_to_ten_digits(self) -> None:
        for raw in ("070761-4285", "0707614285", "  070761-4285 ", "\t0707614285\n"):
            with self.subTest(raw=raw):
                assert cprlib.normalise(raw) == KNOWN_VALID
                assert cprlib.parse(raw).number == KNOWN_VALID


class SexTests(SimpleTestCase):
    def test_it_reads_sex_from_the_last_digit(self) -> None:
        assert cprlib.parse(KNOWN_VALID).sex == "M"  # 5: odd
        # On 1 January modulus 11 does not apply, so every last digit is valid.
        for last in range(10):
            with self.subTest(last=last):
                expected = "M" if last % 2 else "F"
                assert cprlib.parse(f"010180000{last}").sex == expected


class SyntheticTests(SimpleTestCase):
    @given(
        birth_date=st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2030, 12, 31)),
        sex=st.sampled_from(["M", "F"]),
        seed=st.integers(min_value=0, max_value=2**32),
    )
    def test_synthetic_numbers_always_parse_to_their_date_and_sex(
        self, birth_date: dt.date, sex: str, seed: int
    ) -> None:
        number = cprlib.synthetic(birth_date, sex, random.Random(seed))
        info = cprlib.parse(number)
        assert info.birth_date == birth_date
        assert info.sex == sex
        assert cprlib.passes_modulus11(number)

    def test_synthetic_refuses_a_year_the_table_cannot_express(self) -> None:
        with self.assertRaises(ValueError):
            cprlib.synthetic(dt.date(2060, 5, 1), "F", random.Random(1))
