"""Danish names for the demo: people, schools, daycares and care homes.

Adults' names come from Faker's da_DK lists, weighted so that Jensen and
Nielsen are common and Thygesen is rare, as in the CPR register. Children get
the names Danish parents have actually chosen since about 2007 (Danmarks
Statistik's most popular names), because Faker's lists are for adults and a
class full of Bent and Birthe would look wrong. A share of families carries
names common among immigrants and their descendants, as real class lists do.

All randomness goes through the seeded Faker instance, so a seed gives the
same names every time.
"""

from __future__ import annotations

import itertools
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from faker import Faker
from faker.providers.address.da_DK import Provider as DanishAddresses
from faker.providers.person.da_DK import Provider as DanishPeople

# Faker's lists hold a few names no Danish municipality would show as typical.
_ODD = {
    "Ørni", "Øvli", "Esmarelda", "Zehnia", "Ziggy", "Weena", "Katcha", "Borris", "Clavs",
    "Jano", "Timmy", "Bob", "Bobby", "Pete", "Sonny", "Johnnie", "Tammy", "Yan", "Laus",
    "Olfert", "Richardt", "Sussanne", "Odeline", "Yda", "Gyda", "Boe", "Mik", "Ron",
}  # fmt: skip

ADULT_MALE = tuple(n for n in dict.fromkeys(DanishPeople.first_names_male) if n not in _ODD)
ADULT_FEMALE = tuple(n for n in dict.fromkeys(DanishPeople.first_names_female) if n not in _ODD)
# Faker lists the surnames by frequency; rank^-0.5 gives Jensen about 5% as in the register.
SURNAMES = tuple(DanishPeople.last_names)
_SURNAME_CUM_WEIGHTS = tuple(
    itertools.accumulate(1 / (rank**0.5) for rank in range(1, len(SURNAMES) + 1))
)
# Danes often carry a middle name (mellemnavn) before the surname.
MIDDLE_NAMES = (
    "Holm", "Lund", "Dahl", "Bach", "Skov", "Kjær", "Krogh", "Vestergaard", "Damgaard",
    "Bruun", "Friis", "Juul", "Munk", "Brix", "Lykke", "Ravn", "Bak", "Hald", "Storm", "Toft",
)  # fmt: skip

# Most popular names for children born in Denmark 2007-2024 (Danmarks Statistik), by rank.
CHILD_BOYS = (
    "William", "Noah", "Oscar", "Lucas", "Carl", "Victor", "Malthe", "Alfred", "Oliver",
    "Emil", "Aksel", "Valdemar", "Magnus", "Frederik", "Elias", "August", "Arthur", "Anton",
    "Alexander", "Mikkel", "Mathias", "Villads", "Johan", "Liam", "Theo", "Felix", "Storm",
    "Hugo", "Viggo", "Otto", "Konrad", "Bertram", "Christian", "Sebastian", "Marius",
    "Tobias", "Rasmus", "Jonas", "Silas", "Laurits", "Adam", "Theodor", "Vincent", "Milas",
    "Asger", "Benjamin", "Julius", "Karl", "Mads", "Nohr", "Loui", "Osvald", "Ludvig",
    "Sander", "Bastian", "Philip", "Anker", "Walter", "Erik", "Albert",
)  # fmt: skip
CHILD_GIRLS = (
    "Emma", "Ida", "Clara", "Alma", "Freja", "Sofia", "Ella", "Agnes", "Laura", "Anna",
    "Karla", "Josefine", "Olivia", "Sofie", "Mathilde", "Ellen", "Lærke", "Nora", "Isabella",
    "Alberte", "Luna", "Frida", "Maja", "Caroline", "Astrid", "Liva", "Signe", "Asta",
    "Esther", "Mille", "Emilie", "Marie", "Cecilie", "Andrea", "Ellie", "Vigga", "Lily",
    "Saga", "Aya", "Aurora", "Molly", "Lea", "Julie", "Victoria", "Hannah", "Filippa",
    "Malou", "Thea", "Sara", "Vilma", "Johanne", "Naja", "Lily-Rose", "Silje", "Merle",
    "Rosa", "Ronja", "Nanna", "Tilde", "Selma",
)  # fmt: skip
# Common among immigrants and their descendants in Denmark (Middle East, Turkey, Somalia,
# Poland, Vietnam, the Balkans); surnames that are the same for men and women.
OTHER_MALE = (
    "Mohammad", "Ali", "Ahmad", "Omar", "Yusuf", "Ibrahim", "Hassan", "Hussein", "Mustafa",
    "Emir", "Zakaria", "Abdullahi", "Karim", "Tariq", "Bilal", "Jakub", "Minh", "Adnan",
)  # fmt: skip
OTHER_FEMALE = (
    "Fatima", "Maryam", "Aisha", "Zainab", "Amina", "Layla", "Hiba", "Yasmin", "Noor",
    "Sumaya", "Hanan", "Elif", "Zeynep", "Lina", "Sana", "Aleksandra", "Linh", "Amira",
)  # fmt: skip
OTHER_SURNAMES = (
    "Ali", "Ahmed", "Mohamed", "Hussein", "Hassan", "Yilmaz", "Khan", "Abdi", "Omar",
    "Ibrahim", "Nguyen", "Kaya", "Demir", "Öztürk", "Nowak", "Hadžić", "Jama", "Rahimi",
)  # fmt: skip

SCHOOL_NAMES = (
    "Bakkeskolen", "Skovlyskolen", "Engskolen", "Søndervangskolen", "Nordvangskolen",
    "Vestervangskolen", "Østervangskolen", "Rosenhøjskolen", "Kirkebjergskolen",
    "Toftevangskolen", "Højvangskolen", "Lindeskolen", "Egeskolen", "Bøgeskolen",
    "Birkeskolen", "Søndermarkskolen", "Strandskolen", "Fjordskolen", "Parkskolen",
    "Holmegårdsskolen", "Mosegårdsskolen", "Hyldgårdsskolen", "Ådalsskolen", "Skovvangskolen",
    "Sletteskolen", "Møllevangskolen", "Præstemoseskolen", "Tranehøjskolen", "Valhøjskolen",
    "Åbyskolen", "Hedeskolen", "Nørremarkskolen", "Vesterbyskolen", "Østerbyskolen",
    "Kildeskolen", "Solhverv Skole", "Skolen på Stien", "Rådmandsgades Skole", "Ørstedskolen",
    "Grundtvigsskolen", "H.C. Andersen Skolen", "Sankt Klemens Skole", "Lundehusskolen",
    "Enghøjskolen", "Havrehedskolen", "Kongevejens Skole", "Bernstorffsminde Skole",
    "Højmarkskolen", "Rønneskolen", "Dalumskolen",
)  # fmt: skip
_DAYCARE_KINDS = ("Børnehuset", "Børnehaven", "Vuggestuen", "Naturbørnehaven", "Børnehus")
_DAYCARE_NAMES = (
    "Mælkebøtten", "Solsikken", "Regnbuen", "Skovtrolden", "Troldehøj", "Myretuen",
    "Humlebien", "Spiren", "Kastanjen", "Mariehønen", "Bikuben", "Solstrålen", "Krudtuglen",
    "Lærkereden", "Valmuen", "Egernet", "Skovmusen", "Pusterummet", "Stjernen", "Bøgely",
    "Tusindfryd", "Rødkløveren", "Kornblomsten", "Søstjernen", "Sommerfuglen", "Himmelblå",
    "Nøddebo", "Æblehaven", "Græshoppen", "Fyrtårnet",
)  # fmt: skip
_CHILD_CUM_WEIGHTS = tuple(
    itertools.accumulate(1 / (rank**0.25) for rank in range(1, len(CHILD_BOYS) + 1))
)
_CARE_HOME_NAMES = (
    "Egebo", "Solgården", "Lindehuset", "Rosenhaven", "Bøgehøj", "Kastaniegården",
    "Birkebo", "Fuglebakken", "Møllehuset", "Engbo", "Sølyst", "Skovgården",
)  # fmt: skip


@dataclass(frozen=True)
class Name:
    first_name: str
    last_name: str
    sex: str  # "M" or "F"


class Names:
    """Draws names from one seeded Faker instance."""

    def __init__(self, fake: Faker) -> None:
        self.fake = fake
        self.random = fake.random

    def _surname(self) -> str:
        surname = self.random.choices(SURNAMES, cum_weights=_SURNAME_CUM_WEIGHTS)[0]
        if self.random.random() < 0.22:
            return f"{self.random.choice(MIDDLE_NAMES)} {surname}"
        return surname

    def family_surname(self, other_origin: bool) -> str:
        if other_origin:
            return self.random.choice(OTHER_SURNAMES)
        return self._surname()

    def adult(self, sex: str | None = None, *, surname: str | None = None) -> Name:
        """An adult's name; Faker's Danish first names, weighted Danish surnames."""
        sex = sex or self.random.choice("MF")
        first = self.random.choice(ADULT_MALE if sex == "M" else ADULT_FEMALE)
        return Name(first, surname or self._surname(), sex)

    def other_origin_adult(self, sex: str, surname: str) -> Name:
        return Name(self.random.choice(OTHER_MALE if sex == "M" else OTHER_FEMALE), surname, sex)

    def child(self, sex: str, surname: str, other_origin: bool) -> Name:
        if other_origin and self.random.random() < 0.7:
            pool: Sequence[str] = OTHER_MALE if sex == "M" else OTHER_FEMALE
            return Name(self.random.choice(pool), surname, sex)
        pool = CHILD_BOYS if sex == "M" else CHILD_GIRLS
        # Popular names are popular: weight by rank, as in the first-name statistics.
        return Name(self.random.choices(pool, cum_weights=_CHILD_CUM_WEIGHTS)[0], surname, sex)


def slug(text: str) -> str:
    """ASCII for e-mail addresses: æ→ae, ø→oe, å→aa, other accents dropped."""
    text = text.lower().replace("æ", "ae").replace("ø", "oe").replace("å", "aa")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch if ch.isalnum() else "-" for ch in text).strip("-")


def unique_names(first: Sequence[str], fallback: Sequence[str], count: int) -> list[str]:
    """``count`` distinct names: the shuffled list first, then ``fallback``, then numbered."""
    names = list(dict.fromkeys([*first, *fallback]))
    for n in itertools.count(2):
        if len(names) >= count:
            break
        names.extend(f"{name} {n}" for name in first)
    return names[:count]


def school_names(fake: Faker, count: int) -> list[str]:
    """Real-sounding school names; town names ("Birkerød Skole") when the list runs out."""
    names = list(SCHOOL_NAMES)
    fake.random.shuffle(names)
    towns = [f"{town} Skole" for town in fake.random.sample(DanishAddresses.cities, 60)]
    return unique_names(names, towns, count)


def daycare_names(fake: Faker, count: int) -> list[str]:
    combos = [f"{kind} {name}" for name in _DAYCARE_NAMES for kind in _DAYCARE_KINDS]
    fake.random.shuffle(combos)
    # One daycare per fairy-tale name reads better than "Børnehuset Regnbuen" and
    # "Børnehaven Regnbuen" side by side; reuse names only for very large municipalities.
    seen: set[str] = set()
    first: list[str] = []
    rest: list[str] = []
    for combo in combos:
        (rest if combo.split(" ", 1)[1] in seen else first).append(combo)
        seen.add(combo.split(" ", 1)[1])
    return unique_names(first, rest, count)


def care_home_names(fake: Faker, count: int) -> list[str]:
    names = [f"Plejecenter {name}" for name in _CARE_HOME_NAMES]
    fake.random.shuffle(names)
    return unique_names(names, [], count)
