"""Customers: plausible names, contacts, consent and birth dates for eleven countries.

Each country brings its languages, IANA zones, mobile number plan and mail domains. Mail domains
end in ``.example`` (RFC 2606) so that no synthetic address can ever reach a real mailbox.
"""

from __future__ import annotations

import random
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from synthetic.clock import DAY, HOUR, ZONES, Zone, is_leap, iso, local_hour, to_date
from synthetic.rand import Weighted, between, pick


@dataclass(frozen=True)
class Country:
    code: str
    calling_code: str
    languages: tuple[str, ...]
    language_weights: tuple[int, ...]
    zones: tuple[str, ...]
    zone_weights: tuple[int, ...]
    mobile_prefixes: tuple[str, ...]
    mobile_digits: int  # digits after the prefix
    domains: tuple[str, ...]
    has_stores: bool = True


COUNTRIES: tuple[Country, ...] = (
    Country("FR", "33", ("fr",), (1,), ("Europe/Paris",), (1,), ("6", "7"), 8,
            ("orange.example", "free.example", "laposte.example", "gmail.example")),
    Country("BE", "32", ("fr-BE", "nl-BE"), (6, 4), ("Europe/Brussels",), (1,),
            ("470", "472", "475", "476", "477", "478", "479", "485", "486", "495", "498"), 6,
            ("telenet.example", "skynet.example", "gmail.example")),
    Country("DE", "49", ("de",), (1,), ("Europe/Berlin",), (1,),
            ("151", "152", "157", "160", "170", "171", "172", "175", "176", "177", "179"), 8,
            ("web.example", "gmx.example", "t-online.example", "gmail.example")),
    Country("CH", "41", ("de-CH", "fr-CH"), (7, 3), ("Europe/Zurich",), (1,),
            ("75", "76", "77", "78", "79"), 7, ("bluewin.example", "gmail.example")),
    Country("GB", "44", ("en-GB",), (1,), ("Europe/London",), (1,),
            ("74", "75", "77", "78", "79"), 8,
            ("btinternet.example", "outlook.example", "gmail.example")),
    Country("US", "1", ("en-US",), (1,),
            ("America/New_York", "America/Chicago", "America/Denver", "America/Phoenix",
             "America/Los_Angeles"), (46, 26, 8, 4, 16),
            (), 7,
            ("yahoo.example", "outlook.example", "gmail.example"), has_stores=False),
    Country("ES", "34", ("es",), (1,), ("Europe/Madrid", "Atlantic/Canary"), (95, 5),
            ("6", "7"), 8, ("telefonica.example", "hotmail.example", "gmail.example")),
    Country("IT", "39", ("it",), (1,), ("Europe/Rome",), (1,),
            ("320", "328", "333", "335", "338", "340", "347", "349", "366", "380", "393"), 7,
            ("libero.example", "tim.example", "gmail.example")),
    Country("NL", "31", ("nl",), (1,), ("Europe/Amsterdam",), (1,), ("6",), 8,
            ("ziggo.example", "kpn.example", "gmail.example")),
    # Online customers in Asia and Australia: with Europe and the Americas, send windows are
    # open somewhere at every hour of the day, so a demo run at any hour has mail to send.
    Country("SG", "65", ("en-SG",), (1,), ("Asia/Singapore",), (1,), ("8", "9"), 7,
            ("singnet.example", "gmail.example"), has_stores=False),
    Country("AU", "61", ("en-AU",), (1,), ("Australia/Brisbane", "Australia/Perth"), (6, 4),
            ("4",), 8, ("bigpond.example", "optus.example", "gmail.example"), has_stores=False),
)  # fmt: skip
COUNTRY_WEIGHTS = (30, 8, 14, 5, 10, 12, 9, 8, 6, 8, 10)
US_AREA_CODES = {
    "America/New_York": ("212", "646", "718", "617", "305"),
    "America/Chicago": ("312", "773", "214", "512"),
    "America/Denver": ("303", "720"),
    "America/Phoenix": ("602", "480"),
    "America/Los_Angeles": ("213", "310", "415", "206"),
}

FIRST_NAMES = {
    "fr": ("Jean", "Marie", "Camille", "Léa", "Nicolas", "Julien", "Chloé", "Manon", "Théo",
           "Hugo", "Inès", "Sophie", "Pierre", "Élodie", "Antoine", "Céline", "Louis", "Margaux"),
    "nl": ("Jan", "Daan", "Sanne", "Lotte", "Bram", "Lieke", "Thijs", "Emma", "Sem", "Fleur",
           "Ruben", "Anouk", "Koen", "Eva", "Joris", "Noor"),
    "de": ("Lukas", "Jonas", "Lena", "Hannah", "Felix", "Leonie", "Maximilian", "Sophie", "Paul",
           "Mia", "Jürgen", "Anna", "Katharina", "Stefan", "Jörg", "Sabine"),
    "en": ("James", "Olivia", "Oliver", "Amelia", "Harry", "Isla", "Jack", "Emily", "Michael",
           "Sarah", "David", "Jessica", "Chris", "Ashley", "Noah", "Grace"),
    "es": ("Lucía", "Hugo", "Martín", "Sofía", "Alejandro", "María", "Pablo", "Carmen", "Javier",
           "Paula", "Daniel", "Elena", "Álvaro", "Nuria", "Sergio", "Marta"),
    "it": ("Giulia", "Francesco", "Alessandro", "Sofia", "Lorenzo", "Chiara", "Matteo", "Aurora",
           "Andrea", "Giorgia", "Luca", "Martina", "Niccolò", "Federica", "Marco", "Elisa"),
}  # fmt: skip
LAST_NAMES = {
    "fr": ("Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand",
           "Leroy", "Moreau", "Lefèvre", "Girard", "Bonnet", "Dupont", "Lambert", "Fontaine",
           "Rousseau", "Mercier"),
    "nl": ("de Jong", "Jansen", "de Vries", "van den Berg", "van Dijk", "Bakker", "Janssens",
           "Peeters", "Maes", "Visser", "Smit", "Meijer", "De Smet", "Willems", "Mulder", "Claes"),
    "de": ("Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker",
           "Schulz", "Hoffmann", "Schäfer", "Koch", "Bauer", "Richter", "Klein", "Wolf"),
    "en": ("Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies",
           "Miller", "Garcia", "O'Brien", "Evans", "Thomas", "Roberts", "Walker", "Moore"),
    "es": ("García", "Fernández", "González", "Rodríguez", "López", "Martínez", "Sánchez",
           "Pérez", "Gómez", "Martín", "Jiménez", "Ruiz", "Hernández", "Díaz", "Moreno", "Muñoz"),
    "it": ("Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci",
           "Marino", "Greco", "Bruno", "Gallo", "Conti", "De Luca", "Mancini", "D'Angelo"),
}  # fmt: skip


def _fold(name: str) -> str:
    """ASCII, lower case, letters only: ``"D'Angelo"`` → ``"dangelo"``, ``"Léa"`` → ``"lea"``."""
    decomposed = unicodedata.normalize("NFKD", name)
    return "".join(c for c in decomposed.lower() if c.isascii() and c.isalnum())


_FOLDED = {n: _fold(n) for names in (*FIRST_NAMES.values(), *LAST_NAMES.values()) for n in names}

EMAIL_OPT_IN_RATE = 0.70
SMS_OPT_IN_RATE = 0.45
LOYALTY_RATE = 0.60
NO_EMAIL_RATE = 0.03
NO_PHONE_RATE = 0.10


@dataclass(slots=True)
class Customer:
    """One CRM customer; mutable until written, so scenarios and dirt can adjust it."""

    index: int
    customer_id: str
    first_name: str
    last_name: str
    email: str
    phone: str
    birth_date: str
    language: str
    country: Country
    zone: Zone
    timezone: str
    email_opt_in: bool
    sms_opt_in: bool
    loyalty_card_id: str
    created_at: int
    updated_at: int

    def row(self) -> list[str]:
        return [
            self.customer_id,
            self.email,
            self.phone,
            self.first_name,
            self.last_name,
            self.birth_date,
            self.language,
            self.country.code,
            self.timezone,
            "true" if self.email_opt_in else "false",
            "true" if self.sms_opt_in else "false",
            self.loyalty_card_id,
            iso(self.created_at),
            iso(self.updated_at),
        ]


def customer_id(index: int) -> str:
    return f"C{index + 1:07d}"


LANGUAGE_CHOICE = {c.code: Weighted(c.languages, c.language_weights) for c in COUNTRIES}
# Local hours (from, to) in which customers cast in a scenario live at the as-of instant, where
# a country allows it: inside every campaign's send window with an hour to spare, so a run at
# that instant can send to them whatever the hour (a small data set has few such customers).
DAYTIME = (10, 18)


@dataclass(frozen=True)
class Homes:
    """Where a customer may live: a country by weight, then one of its zones by weight."""

    countries: Weighted[Country]
    zones: dict[str, Weighted[str]]

    @classmethod
    def where(
        cls, country_allowed: Callable[[Country], bool], zone_allowed: Callable[[str], bool]
    ) -> Homes | None:
        """The allowed zones of the allowed countries; None when there is none."""
        countries: list[Country] = []
        weights: list[int] = []
        zones: dict[str, Weighted[str]] = {}
        for country, weight in zip(COUNTRIES, COUNTRY_WEIGHTS, strict=True):
            pairs = zip(country.zones, country.zone_weights, strict=True)
            kept = [(zone, w) for zone, w in pairs if zone_allowed(zone)]
            if country_allowed(country) and kept:
                countries.append(country)
                weights.append(weight)
                zones[country.code] = Weighted([z for z, _ in kept], [w for _, w in kept])
        return cls(Weighted(countries, weights), zones) if countries else None


class CustomerFactory:
    """Builds customer ``index`` from one random stream; needs only the as-of instant."""

    def __init__(self, rng: random.Random, as_of: int, seed: int) -> None:
        self.rng = rng
        self.as_of = as_of
        self.as_of_year = to_date(as_of).year
        self.card_offset = (seed * 2_654_435_761 + 1_234_567_891) % 10**10

        def daytime(zone: str) -> bool:
            return DAYTIME[0] <= local_hour(ZONES[zone], as_of) < DAYTIME[1]

        def has_stores(country: Country) -> bool:
            return country.has_stores

        # (in a country with stores, in the daytime) → where; None: nowhere is it daytime.
        self.homes = {
            (False, False): Homes.where(lambda _: True, lambda _: True),
            (True, False): Homes.where(has_stores, lambda _: True),
            (False, True): Homes.where(lambda _: True, daytime),
            (True, True): Homes.where(has_stores, daytime),
        }

    def build(
        self, index: int, *, in_store_country: bool, with_card: bool, in_daytime: bool
    ) -> Customer:
        """Customer ``index``; ``in_daytime``: living where it is daytime at the as-of instant
        (``DAYTIME``), when some allowed country has such a zone."""
        rng = self.rng
        homes = self.homes[in_store_country, in_daytime] or self.homes[in_store_country, False]
        country = homes.countries.pick(rng)
        language = LANGUAGE_CHOICE[country.code].pick(rng)
        tz_name = homes.zones[country.code].pick(rng)
        first = pick(rng, FIRST_NAMES[language[:2]])
        last = pick(rng, LAST_NAMES[language[:2]])
        birth = self.birth_date(between(rng, 18, 85))
        created = self.as_of - between(rng, 2 * DAY, 8 * 365 * DAY)
        updated = created + between(rng, 0, max(0, self.as_of - 2 * HOUR - created))
        email = "" if rng.random() < NO_EMAIL_RATE else _email(rng, first, last, birth, country)
        phone = "" if rng.random() < NO_PHONE_RATE else mobile_number(rng, country, tz_name)
        has_card = with_card or rng.random() < LOYALTY_RATE
        return Customer(
            index,
            customer_id(index),
            first,
            last,
            email,
            phone,
            birth.isoformat(),
            language,
            country,
            ZONES[tz_name],
            tz_name,
            bool(email) and rng.random() < EMAIL_OPT_IN_RATE,
            bool(phone) and rng.random() < SMS_OPT_IN_RATE,
            self.loyalty_card(index) if has_card else "",
            created,
            updated,
        )

    def birth_date(self, age: int) -> date:
        year = self.as_of_year - age
        jan1 = date(year, 1, 1).toordinal()
        return date.fromordinal(jan1 + int(self.rng.random() * (366 if is_leap(year) else 365)))

    def loyalty_card(self, index: int) -> str:
        """Unique per customer: an affine bijection of the index modulo 10^10."""
        return f"LC{(index * 7_919_317 + self.card_offset) % 10**10:010d}"


def _email(rng: random.Random, first: str, last: str, birth: date, country: Country) -> str:
    f, name = _FOLDED[first], _FOLDED[last]
    pattern = int(rng.random() * 6)
    if pattern == 0:
        local = f"{f}.{name}"
    elif pattern == 1:
        local = f"{f}{name}{between(rng, 1, 99)}"
    elif pattern == 2:
        local = f"{f[0]}.{name}"
    elif pattern == 3:
        local = f"{name}.{f}"
    elif pattern == 4:
        local = f"{f}.{name}{birth.year % 100:02d}"
    else:
        local = f"{f}{between(rng, 1, 9999)}"
    return f"{local}@{pick(rng, country.domains)}"


def mobile_number(rng: random.Random, country: Country, tz_name: str) -> str:
    """A mobile number in E.164 from the country's numbering plan."""
    if country.code == "US":
        area = pick(rng, US_AREA_CODES[tz_name])
        return f"+1{area}{between(rng, 2, 9)}{int(rng.random() * 10**6):06d}"
    digits = country.mobile_digits
    prefix = pick(rng, country.mobile_prefixes)
    return f"+{country.calling_code}{prefix}{int(rng.random() * 10**digits):0{digits}d}"


def national_format(phone: str, country: Country) -> str:
    """How the same number looks when typed the national way: ``06 12 34 56 78``."""
    nsn = phone[1 + len(country.calling_code) :]
    if country.code == "US":
        return f"({nsn[:3]}) {nsn[3:6]}-{nsn[6:]}"
    if country.code == "IT":
        return f"{nsn[:3]} {nsn[3:]}"
    if country.code == "FR":
        digits = "0" + nsn
        return " ".join(digits[i : i + 2] for i in range(0, len(digits), 2))
    return f"0{nsn[:3]} {nsn[3:]}"
