"""Deterministic fake clients for demo data and benchmarks (no ORM here).

The same seed always gives the same clients, so demo databases, tests and
benchmark runs are comparable from one machine to the next.
"""

import random
from datetime import date, timedelta

from .personal_data import CONSENT_CHANNELS

# Per country: the names people there are likely to have, and how to make a
# valid mobile number (E.164) from a handful of random digits.
LOCALES = {
    "ES": {
        "female": ["Lucía", "María", "Carmen", "Sofía", "Elena", "Paula", "Marta", "Laura"],
        "male": ["Hugo", "Pablo", "Javier", "Diego", "Carlos", "Álvaro", "Sergio", "Mario"],
        "last": ["García", "Fernández", "López", "Martínez", "Sánchez", "Romero", "Navarro"],
        "mobile": ("+34", "6", 8),
        "mail": "example.es",
    },
    "BR": {
        "female": ["Ana", "Beatriz", "Juliana", "Camila", "Larissa", "Fernanda", "Gabriela"],
        "male": ["João", "Lucas", "Mateus", "Rafael", "Gustavo", "Thiago", "Bruno"],
        "last": ["Silva", "Santos", "Oliveira", "Souza", "Costa", "Pereira", "Almeida"],
        "mobile": ("+55", "119", 8),
        "mail": "example.com.br",
    },
    "RU": {
        "female": ["Анна", "Мария", "Екатерина", "Ольга", "Наталья", "Ирина", "Светлана"],
        "male": ["Иван", "Дмитрий", "Алексей", "Сергей", "Андрей", "Михаил", "Павел"],
        "last": ["Иванова", "Смирнова", "Кузнецова", "Попова", "Соколова", "Лебедева"],
        "last_male": ["Иванов", "Смирнов", "Кузнецов", "Попов", "Соколов", "Лебедев"],
        "mobile": ("+7", "9", 9),
        "mail": "example.ru",
    },
    "SE": {
        "female": ["Elsa", "Maja", "Astrid", "Alice", "Wilma", "Ebba", "Saga", "Freja"],
        "male": ["Oscar", "William", "Lucas", "Elias", "Hugo", "Nils", "Erik", "Axel"],
        "last": ["Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson"],
        "mobile": ("+46", "70", 7),
        "mail": "example.se",
    },
    "US": {
        "female": ["Emma", "Olivia", "Ava", "Mia", "Harper", "Evelyn", "Abigail", "Grace"],
        "male": ["Liam", "Noah", "James", "Henry", "Jack", "Owen", "Daniel", "Samuel"],
        "last": ["Smith", "Johnson", "Brown", "Miller", "Davis", "Wilson", "Taylor"],
        "mobile": ("+1", "4152", 6),
        "mail": "example.com",
    },
}
COUNTRY_WEIGHTS = {"ES": 30, "BR": 20, "RU": 20, "SE": 15, "US": 15}

_LATIN = str.maketrans(
    "áéíóúàâãçêôõüñåäöÁÉÍÓÚÅÄÖ",
    "aeiouaaaceoounaaoAEIOUAAO",
)
_CYRILLIC = dict(
    zip(
        "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
        "a b v g d e e zh z i y k l m n o p r s t u f kh ts ch sh sch - y - e yu ya".split(),
        strict=True,
    )
)


def ascii_slug(text):
    """Lower-case ASCII rendering of a name, for demo e-mail addresses."""
    text = text.lower().translate(_LATIN)
    return "".join(_CYRILLIC.get(ch, ch) for ch in text if ch.isalnum() or ch in _CYRILLIC).replace("-", "")


def client_rows(count, seed=2026, today=None, start_index=0):
    """Yield ``count`` client dicts: name parts, phone, e-mail, birthday, gender,
    country code, indices into the caller's tag and source lists, consents.

    ``start_index`` lets a caller generate a large base in chunks and still get
    unique phones and e-mails: row ``n`` is the same whatever the chunking.
    """
    today = today or date.today()
    countries = list(COUNTRY_WEIGHTS)
    weights = list(COUNTRY_WEIGHTS.values())
    for index in range(start_index, start_index + count):
        rng = random.Random(f"{seed}:{index}")
        country = rng.choices(countries, weights)[0]
        locale = LOCALES[country]
        gender = rng.choices(["female", "male", "other"], [60, 37, 3])[0]
        first = rng.choice(locale["female" if gender != "male" else "male"])
        last_names = locale.get("last_male") if gender == "male" else None
        last = rng.choice(last_names or locale["last"])
        prefix, lead, free_digits = locale["mobile"]
        # A bijection of the row index (the multiplier is coprime to 10): unique
        # numbers that do not look sequential.
        unique = f"{(index * 7_654_321 + 1_234_567) % 10**free_digits:0{free_digits}d}"
        phone = f"{prefix}{lead}{unique}"
        age_days = rng.randint(16 * 365, 75 * 365)
        yield {
            "index": index,
            "first_name": first,
            "last_name": last,
            "phone": phone,
            "email": f"{ascii_slug(first)}.{ascii_slug(last)}.{index}@{locale['mail']}",
            "birthday": today - timedelta(days=age_days),
            "gender": gender,
            "country_code": country,
            "tag_indices": sorted(rng.sample(range(5), rng.choice([0, 1, 1, 2]))),
            "source_index": rng.randrange(6),
            "consents": {
                channel: rng.random() < share
                for channel, share in zip(CONSENT_CHANNELS, (0.8, 0.4, 0.7, 0.5), strict=True)
            },
            "blacklisted": rng.random() < 0.02,
        }
