"""Fuzzing CPR numbers: parsing, the citizen's number, look-ups, search and log masking.

Whatever text arrives, parsing gives a valid ``CprInfo`` or a ``ValidationError``
(a form error, a 4xx), never another exception (a 500); a valid number comes
back the same whichever accepted form it was written in; and a CPR number
written anywhere in a log line, in any way a person or a browser writes it,
leaves the log masked. Derandomized, with bounded examples.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
import re
from urllib.parse import quote, quote_plus

from django.core.exceptions import ValidationError
from django.test import SimpleTestCase
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from helhed.citizens import cpr as cprlib
from helhed.citizens import crypto
from helhed.citizens.models import Citizen
from helhed.lib.logfilter import MaskCprFilter, mask
from helhed.test import make_citizen, municipality

FUZZ = settings(
    max_examples=150,
    derandomize=True,
    database=None,
    deadline=dt.timedelta(seconds=5),
    suppress_health_check=[HealthCheck.too_slow],
)
SMALL = settings(FUZZ, max_examples=40)

# Text of every kind, and text that is nearly a CPR number: digits of any
# script, dashes, spaces, the lengths around ten.
DIGITISH = st.text(
    alphabet=st.sampled_from("0123456789-  \t\n٣０x+"),
    max_size=14,
)
ANY_TEXT = st.one_of(st.text(max_size=30), DIGITISH, st.from_regex(r"\A[0-9]{6}-?[0-9]{4}\Z"))


@st.composite
def valid_numbers(draw: st.DrawFn) -> cprlib.CprInfo:
    """A valid number for any birth date the century table can express, either sex."""
    birth = draw(st.dates(min_value=dt.date(1858, 1, 1), max_value=dt.date(2036, 12, 31)))
    sex = draw(st.sampled_from("MF"))
    seed = draw(st.integers(min_value=0, max_value=2**32))
    number = cprlib.synthetic(birth, sex, random.Random(seed))
    return cprlib.parse(number)


# The ways a person writes a number, and the ways a request line carries them.
WRITTEN = [
    lambda n: n,
    lambda n: f"{n[:6]}-{n[6:]}",
    lambda n: f"{n[:6]} {n[6:]}",
    lambda n: f" {n[:6]}-{n[6:]} ",
]
ENCODED = [lambda t: t, quote, quote_plus]


def parses_or_refuses(text: str) -> cprlib.CprInfo | None:
    try:
        return cprlib.parse(text)
    except ValidationError:
        return None


def leaves_number(number: str, text: str) -> bool:
    """Whether ``text`` still holds the number: its date part then its serial, apart or not."""
    return re.search(re.escape(number[:6]) + r"\D{0,3}" + re.escape(number[6:]), text) is not None


class CprParsingFuzzTests(SimpleTestCase):
    @FUZZ
    @given(text=ANY_TEXT)
    def test_any_text_parses_to_a_valid_number_or_a_validation_error(self, text: str) -> None:
        info = parses_or_refuses(text)
        if info is None:
            return
        # A parsed number is ten ASCII digits that say the birth date and sex.
        assert re.fullmatch(r"[0-9]{10}", info.number)
        assert info.birth_date.strftime("%d%m%y") == info.number[:6]
        assert info.sex == ("M" if int(info.number[9]) % 2 else "F")
        if cprlib.modulus11_applies(info.birth_date):
            assert cprlib.passes_modulus11(info.number)

    @FUZZ
    @given(digits=st.from_regex(r"\A[0-9]{10}\Z"))
    def test_any_ten_digits_parse_or_are_refused_the_same_with_or_without_the_dash(
        self, digits: str
    ) -> None:
        plain = parses_or_refuses(digits)
        dashed = parses_or_refuses(f"{digits[:6]}-{digits[6:]}")
        assert plain == dashed

    @SMALL
    @given(info=valid_numbers(), form=st.sampled_from(WRITTEN))
    def test_a_valid_number_comes_back_the_same_in_every_accepted_form(
        self, info: cprlib.CprInfo, form: object
    ) -> None:
        assert callable(form)
        assert cprlib.parse(form(info.number)) == info
        assert cprlib.parse(info.formatted) == info

    @SMALL
    @given(text=ANY_TEXT)
    def test_setting_any_text_as_a_citizen_cpr_keeps_it_or_refuses_it(self, text: str) -> None:
        citizen = Citizen(first_name="A", last_name="B")
        try:
            info = citizen.set_cpr(text)
        except ValidationError:
            assert not citizen.cpr_hash, "a refused number left a hash behind"
            return
        assert citizen.cpr == info.formatted
        assert citizen.cpr_hash == crypto.keyed_hash(info.number)
        assert (citizen.birth_date, citizen.sex) == (info.birth_date, info.sex)
        assert info.number not in citizen.cpr_encrypted


class MaskingFuzzTests(SimpleTestCase):
    @FUZZ
    @given(
        info=valid_numbers(),
        before=st.text(max_size=12),
        after=st.text(max_size=12),
        form=st.sampled_from(WRITTEN),
        encode=st.sampled_from(ENCODED),
    )
    def test_masking_leaves_no_cpr_number_in_a_log_line(
        self, info: cprlib.CprInfo, before: str, after: str, form: object, encode: object
    ) -> None:
        assert callable(form) and callable(encode)
        # Glued to other digits it is no longer a number anybody could look up.
        if before[-1:].isdecimal() or after[:1].isdecimal():
            return
        line = encode(before + form(info.number) + after)
        masked = mask(line)
        assert not leaves_number(info.number, masked), (line, masked)
        assert info.number[:6] in masked  # the birth date stays: the line is still readable

    @SMALL
    @given(info=valid_numbers(), text=st.text(max_size=20))
    def test_the_log_filter_masks_whatever_the_arguments_are(
        self, info: cprlib.CprInfo, text: str
    ) -> None:
        written = f"{info.number[:6]}-{info.number[6:]}"
        for msg, args in (
            ("%s", (text + " " + written,)),
            ("%(q)s %(n)d", {"q": written, "n": 1}),
            ("%s", (ValueError(written),)),
            (text + " " + written, ()),
            ("%s %s", (written,)),  # a broken format: still masked, never raises
        ):
            record = logging.LogRecord("django.server", logging.INFO, __file__, 1, msg, args, None)
            assert MaskCprFilter().filter(record)
            assert not leaves_number(info.number, record.getMessage()), (msg, args)


class CprLookupFuzzTests(TestCase):
    citizen: Citizen

    @classmethod
    def setUpTestData(cls) -> None:
        assert municipality(230)
        cls.citizen = make_citizen("Alma", "Jensen")

    @SMALL
    @given(text=ANY_TEXT.filter(lambda t: "\x00" not in t))
    def test_looking_up_any_text_finds_the_citizen_nobody_or_refuses(self, text: str) -> None:
        """``by_cpr`` and ``search`` on any text (NUL is refused at the edge, 400).

        ``search`` falls back to names for text that is not a number; either
        way the query runs, and a number finds only its own citizen.
        """
        try:
            found = Citizen.objects.by_cpr(text)
        except ValidationError:
            found = None
        else:
            assert found in (None, self.citizen)
            if found is not None:
                assert cprlib.parse(text).formatted == self.citizen.cpr
        matches = list(Citizen.objects.search(text))
        assert matches in ([], [self.citizen])

    def test_the_citizen_is_found_by_every_accepted_form_of_the_number(self) -> None:
        number = self.citizen.cpr.replace("-", "")
        for form in WRITTEN:
            assert Citizen.objects.by_cpr(form(number)) == self.citizen
            assert list(Citizen.objects.search(form(number))) == [self.citizen]
