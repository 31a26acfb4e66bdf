"""Client files for the import (and the export): pure functions, no ORM.

The file format both directions share: a header row, then one client per row, with
the columns of :data:`CLIENT_COLUMNS`. The export writes the English labels (or the
keys) as headers; the import recognises those, the keys, and the usual headers of
spreadsheets in English, Spanish, Portuguese, Russian and Swedish.

Values as the export writes them, and what the import accepts besides:

- phones in E.164 (``+34600123456``); numbers without prefix are read in the row's
  country, else in the default country of the import (:func:`normalize_phone`);
- ``birthday`` as ``YYYY-MM-DD`` (a date cell in Excel); also ``DD.MM.YYYY`` and
  ``DD/MM/YYYY``;
- ``gender`` as ``female``, ``male``, ``other``; also the usual words in the five languages;
- ``country`` as the ISO code; also the country's name;
- ``tags`` as names joined by :data:`TAG_SEPARATOR`; ``,``, ``;`` and ``|`` all split;
- ``source`` as the source's name, ``responsible`` as the user's login (or name);
- yes/no columns as ``1``/``0``; also yes/no, true/false, x in the five languages.

Encodings: UTF-8 with or without BOM, UTF-16 with BOM, cp1251 and latin-1;
separators: comma, semicolon, tab. Excel files: ``.xlsx``, first sheet.
"""

import codecs
import csv
import io
import itertools
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime

from .personal_data import CONSENT_CHANNELS, consent_field
from .phone import InvalidPhone, normalize_phone
from .spreadsheet import csv_unescape, safe_csv_row

# (key, English label): the columns of a client file, in the export's order.
CLIENT_COLUMNS = (
    ("name", "Name"),
    ("first_name", "First Name"),
    ("last_name", "Last Name"),
    ("phone", "Phone"),
    ("mobile", "Mobile"),
    ("email", "Email"),
    ("birthday", "Birthday"),
    ("gender", "Gender"),
    ("profession", "Profession"),
    ("country", "Country"),
    ("city", "City"),
    ("source", "Source"),
    ("tags", "Tags"),
    ("responsible", "Responsible"),
    ("notes", "Notes"),
    ("blacklisted", "Cannot Book"),
    ("blacklist_reason", "Why They Cannot Book"),
    ("consent_sms", "SMS Consent"),
    ("consent_telegram", "Telegram Consent"),
    ("consent_email", "Email Consent"),
    ("consent_marketing", "Marketing Consent"),
)
COLUMN_KEYS = tuple(key for key, _label in CLIENT_COLUMNS)
# Columns stored as they are in one res.partner field; the others need a lookup
# (country, source, tags, responsible) or a conversion (notes are HTML).
PARTNER_FIELDS = {
    "name": "name",
    "first_name": "smartbook_first_name",
    "last_name": "smartbook_last_name",
    "phone": "phone",
    "mobile": "mobile",
    "email": "email",
    "birthday": "smartbook_birthday",
    "gender": "smartbook_gender",
    "profession": "smartbook_profession",
    "city": "city",
    "blacklisted": "smartbook_blacklisted",
    "blacklist_reason": "smartbook_blacklist_reason",
    **{f"consent_{channel}": consent_field(channel) for channel in CONSENT_CHANNELS},
}
NAME_KEYS = ("name", "first_name", "last_name")
PHONE_KEYS = ("phone", "mobile")
CONSENT_KEYS = tuple(f"consent_{channel}" for channel in CONSENT_CHANNELS)
BOOLEAN_KEYS = ("blacklisted", *CONSENT_KEYS)
TEXT_KEYS = ("name", "first_name", "last_name", "profession", "city", "notes", "blacklist_reason")
TAG_SEPARATOR = ", "
SEPARATORS = (",", ";", "\t")

# Headers people write, per column, in en, es, pt, ru and sv. Matched after
# normalize_header (case, accents, spaces and punctuation do not count).
HEADER_SYNONYMS = {
    "name": [
        "name", "full name", "client", "client name", "customer", "customer name", "contact",
        "nombre completo", "nombre y apellidos", "cliente", "nome completo",
        "фио", "ф.и.о.", "полное имя", "имя и фамилия", "клиент", "namn", "fullständigt namn", "kund",
    ],
    "first_name": [
        "first name", "firstname", "given name", "forename", "nombre", "nome", "primeiro nome",
        "имя", "förnamn",
    ],
    "last_name": [
        "last name", "lastname", "surname", "family name", "apellido", "apellidos", "sobrenome",
        "apelido", "фамилия", "efternamn",
    ],
    "phone": [
        "phone", "telephone", "tel", "phone number", "landline", "teléfono", "tel.", "número de teléfono",
        "telefone", "número de telefone", "телефон", "тел", "номер телефона", "telefon", "telefonnummer",
    ],
    "mobile": [
        "mobile", "mobile phone", "cell", "cell phone", "cellphone", "móvil", "teléfono móvil", "celular",
        "telefone celular", "telemóvel", "мобильный", "мобильный телефон", "сотовый", "mobil",
        "mobiltelefon", "mobilnummer",
    ],
    "email": [
        "email", "e-mail", "mail", "email address", "correo", "correo electrónico", "correio eletrônico",
        "endereço de e-mail", "почта", "эл. почта", "электронная почта", "емейл", "e-post", "mejl",
        "e-postadress",
    ],
    "birthday": [
        "birthday", "birth date", "date of birth", "birthdate", "dob", "fecha de nacimiento",
        "cumpleaños", "nacimiento", "data de nascimento", "aniversário", "nascimento",
        "дата рождения", "день рождения", "др", "födelsedag", "födelsedatum",
    ],
    "gender": ["gender", "sex", "género", "sexo", "gênero", "пол", "kön"],
    "profession": [
        "profession", "occupation", "job", "job title", "profesión", "ocupación", "profissão",
        "ocupação", "профессия", "род занятий", "должность", "yrke",
    ],
    "country": ["country", "country code", "país", "страна", "land"],
    "city": ["city", "town", "ciudad", "localidad", "cidade", "город", "stad", "ort"],
    "source": [
        "source", "lead source", "channel", "origen", "fuente", "canal", "origem", "fonte",
        "источник", "канал", "källa", "kanal",
    ],
    "tags": [
        "tags", "tag", "labels", "categories", "etiquetas", "etiqueta", "marcadores", "теги",
        "метки", "ярлыки", "taggar", "etiketter",
    ],
    "responsible": [
        "responsible", "owner", "salesperson", "assigned to", "responsable", "responsável",
        "ответственный", "менеджер", "ansvarig",
    ],
    "notes": [
        "notes", "note", "comment", "comments", "remarks", "internal notes", "notas", "nota",
        "comentarios", "observaciones", "observações", "comentários", "заметки", "примечание",
        "примечания", "комментарий", "anteckningar", "anteckning", "kommentar",
    ],
    "blacklisted": [
        "cannot book", "blacklisted", "blacklist", "blocked", "lista negra", "bloqueado",
        "черный список", "заблокирован", "svartlistad", "spärrad",
    ],
    "blacklist_reason": [
        "blacklist reason", "block reason", "motivo de bloqueo", "motivo del bloqueo",
        "motivo do bloqueio", "причина блокировки", "spärrorsak", "anledning till spärr",
    ],
    "consent_sms": [
        "sms consent", "consent sms", "sms", "consentimiento sms", "consentimento sms",
        "согласие на смс", "согласие на sms", "смс", "sms-samtycke", "samtycke sms",
    ],
    "consent_telegram": [
        "telegram consent", "consent telegram", "telegram", "consentimiento telegram",
        "consentimento telegram", "согласие на telegram", "согласие на телеграм", "телеграм",
        "telegram-samtycke", "samtycke telegram",
    ],
    "consent_email": [
        "email consent", "consent email", "consentimiento email", "consentimiento correo",
        "consentimento e-mail", "согласие на email", "согласие на почту", "e-postsamtycke",
        "samtycke e-post",
    ],
    "consent_marketing": [
        "marketing consent", "consent marketing", "marketing", "consentimiento marketing",
        "publicidad", "consentimento marketing", "согласие на рассылку", "рассылка", "маркетинг",
        "marknadsföring", "samtycke marknadsföring",
    ],
}  # fmt: skip
# Shorter synonyms only match a whole header: "пол" is in "полное имя".
PARTIAL_MATCH_MIN_LENGTH = 4

TRUE_WORDS = {"1", "yes", "y", "true", "x", "on", "si", "s", "sim", "да", "д", "ja", "j", "+", "✓", "✔"}
FALSE_WORDS = {"0", "no", "n", "false", "off", "nao", "нет", "н", "nej", "-"}
GENDER_WORDS = {
    "female": ["f", "female", "woman", "w", "mujer", "femenino", "fem", "feminino", "mulher",
               "ж", "жен", "женский", "женщина", "kvinna", "k", "kvinnlig"],
    "male": ["m", "male", "man", "h", "hombre", "masculino", "masc", "homem",
             "м", "муж", "мужской", "мужчина", "manlig"],
    "other": ["other", "o", "x", "otro", "otra", "outro", "outra", "другой", "другое", "annat", "annan"],
}  # fmt: skip

EMAIL_RE = re.compile(r"^[^@\s,;<>\"]+@[^@\s,;<>\"]+\.[^@\s,;<>\".]+$")
TAG_SPLIT_RE = re.compile(r"[,;|]")
DATE_PATTERNS = (
    (re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T].*)?$"), ("year", "month", "day")),
    (re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})(?:[ T].*)?$"), ("day", "month", "year")),
)
# Control characters other than tab and line breaks: a text file has next to none.
CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
SAMPLE_SIZE = 65536

# Sizes the import accepts. A file: 32 MiB, a few hundred thousand clients as CSV.
# A cell: names and other one-line texts 128 characters (what any client card
# shows), an e-mail address 254 (RFC 5321), the tags of a client 1,000, notes
# 4,000 (a few pages). A longer cell refuses its row with a message saying so,
# rather than storing pages of text in a name or failing in the database.
MAX_FILE_BYTES = 32 * 1024 * 1024
MAX_CELL_LENGTH = 128
CELL_LENGTH_LIMITS = {"email": 254, "tags": 1000, "notes": 4000}


class UnreadableFile(ValueError):
    """A file the import cannot read at all; nothing is imported from it.

    ``reason`` is one of: ``empty`` (no header row), ``no_rows`` (a header only),
    ``binary`` (not text), ``encoding`` (not in the encoding asked for),
    ``xls`` (the old Excel format), ``xlsx`` (a damaged Excel file), ``csv``
    (malformed CSV), ``too_large`` (more than :data:`MAX_FILE_BYTES`; ``detail``
    is the size in bytes).
    """

    def __init__(self, reason, detail=""):
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


@dataclass
class ClientFile:
    """A file read: its kind (``csv``/``xlsx``), how it was decoded, the header
    and the data rows as ``(row_number, cells)``, numbered as in a spreadsheet
    (the header is row 1); blank rows are left out but keep their number."""

    kind: str
    header: list
    rows: list
    encoding: str = ""
    separator: str = ""
    row_count: int = 0

    def __post_init__(self):
        self.row_count = self.row_count or len(self.rows)


@dataclass
class RowProblem:
    """Why a row is refused: ``code`` (``phone``, ``email``, ``birthday``,
    ``birthday_future``, ``gender``, ``boolean``, ``country``, ``no_name``,
    ``too_long``) about ``column`` holding ``value``; ``error`` is the
    :class:`InvalidPhone` of a phone. For ``too_long``, ``value`` is the length of
    the cell (not the cell) and ``limit`` the longest accepted."""

    code: str
    column: str = ""
    value: str = ""
    error: InvalidPhone | None = field(default=None, repr=False)
    limit: int = 0


# ---------------------------------------------------------------------- reading


def detect_encoding(data):
    """The encoding of ``data``: by its BOM, else UTF-8 when it decodes as such,
    else cp1251 when the text reads as Russian, else latin-1."""
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return "cp1251" if _reads_as_cyrillic(data[:SAMPLE_SIZE]) else "latin-1"
    return "utf-8"


def _reads_as_cyrillic(sample):
    """cp1251 and latin-1 both decode any byte: decode as cp1251 and compare words
    written wholly in Cyrillic (Russian text) with words mixing Cyrillic and Latin
    letters (accented Latin text read in the wrong encoding: "Garcнa")."""
    cyrillic = mixed = 0
    for word in re.findall(r"[^\W\d_]+", sample.decode("cp1251", errors="replace")):
        in_cyrillic = sum("\u0400" <= char <= "\u04ff" for char in word)
        if in_cyrillic == len(word) and in_cyrillic > 1:
            cyrillic += 1
        elif in_cyrillic:
            mixed += 1
    return cyrillic > mixed


def decode(data, encoding=None):
    """Return ``(text, encoding)``; ``encoding`` ``None`` detects it."""
    if encoding in (None, "", "auto"):
        encoding = detect_encoding(data)
    elif encoding.replace("_", "-").lower() in ("utf-8", "utf8") and data.startswith(codecs.BOM_UTF8):
        encoding = "utf-8-sig"
    try:
        text = data.decode(encoding)
    except (UnicodeDecodeError, LookupError) as error:
        raise UnreadableFile("encoding", encoding) from error
    sample = text[:SAMPLE_SIZE]
    if "\x00" in sample or len(CONTROL_RE.findall(sample)) > len(sample) / 100:
        raise UnreadableFile("binary")
    return text, encoding


def sniff_separator(text):
    """The separator among :data:`SEPARATORS` that splits the first lines into the
    most regular table: rows as wide as the header, then the widest header."""
    sample = text[:SAMPLE_SIZE]
    if len(text) > SAMPLE_SIZE and "\n" in sample:
        sample = sample[: sample.rindex("\n")]
    best, best_score = SEPARATORS[0], (0.0, 1)
    for separator in SEPARATORS:
        try:
            reader = csv.reader(io.StringIO(sample, newline=""), delimiter=separator)
            lines = [line for line in itertools.islice(reader, 50) if any(cell.strip() for cell in line)]
        except csv.Error:
            continue
        if not lines or len(lines[0]) < 2:
            continue
        width = len(lines[0])
        score = (sum(len(line) == width for line in lines) / len(lines), width)
        if score > best_score:
            best, best_score = separator, score
    return best


def read_csv(data, encoding=None, separator=None):
    """Read CSV bytes; ``None`` (or ``"auto"``) detects the encoding or separator."""
    text, encoding = decode(data, encoding)
    if separator in (None, "", "auto"):
        separator = sniff_separator(text)
    # The csv module refuses cells over 128 KiB by default (the Odoo server raises
    # that limit): read any cell a file of accepted size holds, then say which
    # cells are too long row by row.
    csv.field_size_limit(max(csv.field_size_limit(), MAX_FILE_BYTES))
    try:
        lines = list(csv.reader(io.StringIO(text, newline=""), delimiter=separator))
    except csv.Error as error:
        raise UnreadableFile("csv", str(error)) from error
    return _table(lines, "csv", encoding=encoding, separator=separator)


def read_xlsx(data, max_rows=None):
    """Read the first sheet of an Excel workbook (``.xlsx``); with ``max_rows``,
    only that many data rows (a preview: Excel files are slow to read whole), and
    ``row_count`` is then what the sheet declares."""
    # Imported here: the CSV path and the pure tests do not need openpyxl loaded.
    import openpyxl  # pylint: disable=import-outside-toplevel

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds: zip, XML, key errors
        raise UnreadableFile("xlsx", str(error)) from error
    try:
        sheet = workbook.worksheets[0]
        lines = ([_cell_text(value) for value in line] for line in sheet.iter_rows(values_only=True))
        client_file = _table(lines, "xlsx", max_rows=max_rows)
        if max_rows is not None and len(client_file.rows) == max_rows and sheet.max_row:
            client_file.row_count = max(sheet.max_row - client_file.rows[0][0] + 1, max_rows)
    except UnreadableFile:
        raise
    except Exception as error:  # damaged sheet XML inside a valid zip
        raise UnreadableFile("xlsx", str(error)) from error
    finally:
        workbook.close()
    return client_file


def read_file(data, file_name="", encoding=None, separator=None, max_rows=None):
    """Read a client file, Excel or CSV by its content (and name). ``max_rows``
    limits what is read of an Excel file (CSV files are always read whole: that
    is fast, and finds any encoding error at once)."""
    if not data:
        raise UnreadableFile("empty")
    if len(data) > MAX_FILE_BYTES:
        raise UnreadableFile("too_large", str(len(data)))
    if data.startswith(b"\xd0\xcf\x11\xe0") or (file_name or "").lower().endswith(".xls"):
        raise UnreadableFile("xls")
    if data.startswith(b"PK\x03\x04") or (file_name or "").lower().endswith((".xlsx", ".xlsm")):
        return read_xlsx(data, max_rows=max_rows)
    return read_csv(data, encoding=encoding, separator=separator)


def _cell_text(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _table(lines, kind, max_rows=None, **info):
    rows = iter(enumerate(lines, start=1))
    header = None
    for _number, line in rows:
        if any(cell.strip() for cell in line):
            header = [cell.strip() for cell in line]
            break
    if header is None:
        raise UnreadableFile("empty")
    while header and not header[-1]:
        header.pop()
    width = len(header)
    data_rows = []
    for number, line in rows:
        if any(cell.strip() for cell in line):
            cells = line[:width]
            data_rows.append((number, cells + [""] * (width - len(cells))))
            if len(data_rows) == max_rows:
                break
    if not data_rows:
        raise UnreadableFile("no_rows")
    return ClientFile(kind=kind, header=header, rows=data_rows, **info)


# ---------------------------------------------------------------------- mapping


def normalize_header(text):
    """Lower case, no accents, letters and digits only: "Teléfono " -> "telefono"."""
    decomposed = unicodedata.normalize("NFKD", str(text or "")).casefold()
    return "".join(char for char in decomposed if char.isalnum())


def _synonym_table():
    table = {}
    for key, label in CLIENT_COLUMNS:
        for synonym in (key, label, *HEADER_SYNONYMS.get(key, ())):
            normalized = normalize_header(synonym)
            if table.setdefault(normalized, key) != key:
                raise ValueError(f"header synonym {synonym!r} given for {table[normalized]} and {key}")
    return table


SYNONYMS = _synonym_table()


def guess_mapping(header):
    """For each header cell, the column key it most likely holds, or ``None``.

    A header equal to a synonym wins; else the longest synonym it contains
    ("Número de teléfono móvil" -> mobile). No key is given twice.
    """
    guesses = [None] * len(header)
    used = set()
    normalized = [normalize_header(cell) for cell in header]
    for index, text in enumerate(normalized):
        key = SYNONYMS.get(text)
        if key and key not in used:
            guesses[index] = key
            used.add(key)
    for index, text in enumerate(normalized):
        if guesses[index] or not text:
            continue
        candidates = [
            (len(synonym), key)
            for synonym, key in SYNONYMS.items()
            if len(synonym) >= PARTIAL_MATCH_MIN_LENGTH and synonym in text and key not in used
        ]
        if candidates:
            guesses[index] = max(candidates)[1]
            used.add(guesses[index])
    return guesses


# ---------------------------------------------------------------------- rows


def _word(text):
    return normalize_header(text) or text.strip()


_GENDERS = {normalize_header(word): gender for gender, words in GENDER_WORDS.items() for word in words}
_BOOLEANS = {**{_word(word): True for word in TRUE_WORDS}, **{_word(word): False for word in FALSE_WORDS}}


def parse_boolean(text):
    """``True``/``False``, or ``None`` when ``text`` is not a yes/no word."""
    # Most cells hold 1/0 already: skip the normalisation for them.
    value = _BOOLEANS.get(text)
    return value if value is not None else _BOOLEANS.get(_word(text))


def parse_gender(text):
    """``female``, ``male`` or ``other``, or ``None`` when ``text`` is not a gender."""
    return _GENDERS.get(text) or _GENDERS.get(_word(text))


def parse_date(text):
    """A date from ``YYYY-MM-DD``, ``DD.MM.YYYY`` or ``DD/MM/YYYY``, else ``None``."""
    text = text.strip()
    for pattern, parts in DATE_PATTERNS:
        match = pattern.match(text)
        if match:
            try:
                return date(**{part: int(value) for part, value in zip(parts, match.groups(), strict=True)})
            except ValueError:
                return None
    return None


def parse_tags(text):
    """Tag names in a cell, in order, without repeats."""
    names = (" ".join(name.split()) for name in TAG_SPLIT_RE.split(text))
    return list(dict.fromkeys(name for name in names if name))


def parse_email(text):
    """``text`` when it is an e-mail address, else ``None``."""
    return text if EMAIL_RE.match(text) else None


# Column key -> (parser returning None for a bad value, problem code).
_VALUE_PARSERS = {
    "email": (parse_email, "email"),
    "birthday": (parse_date, "birthday"),
    "gender": (parse_gender, "gender"),
    **{key: (parse_boolean, "boolean") for key in BOOLEAN_KEYS},
}


def name_key(text):
    """How names compare in lookups (tags, sources, users, countries)."""
    return " ".join(str(text).split()).casefold()


def _length_problems(raw):
    """Problems of the cells of ``raw`` ({column key: text}) longer than their
    limit, each taken out of ``raw``; also a tag name longer than a name."""
    problems = []
    for key, text in list(raw.items()):
        limit = CELL_LENGTH_LIMITS.get(key, MAX_CELL_LENGTH)
        if len(text) > limit:
            problems.append(RowProblem("too_long", key, str(len(text)), limit=limit))
            del raw[key]
    if "tags" in raw:
        longest = max(map(len, parse_tags(raw["tags"])), default=0)
        if longest > MAX_CELL_LENGTH:
            problems.append(RowProblem("too_long", "tags", str(longest), limit=MAX_CELL_LENGTH))
            del raw["tags"]
    return problems


def parse_row(cells, mapping, default_country=None, countries=None, today=None):
    """Convert one row into a client record, or say why it is refused.

    ``mapping`` gives the column key of each cell (``None``: not imported);
    ``countries`` maps :func:`name_key` of country codes and names to ISO codes
    (without it, ISO codes only). Return ``(record, problems)``: ``record`` holds
    the non-empty values by column key (phones in E.164, ``birthday`` a date,
    ``country`` an ISO code, ``tags`` a list of names, yes/no columns as booleans,
    the rest stripped text) and ``problems`` a list of :class:`RowProblem`.
    """
    # csv_unescape: an apostrophe before a formula-like text is how the export
    # (and any careful spreadsheet) marks it as text, not part of the value.
    raw = {
        key: csv_unescape(cell.strip())
        for cell, key in zip(cells, mapping, strict=False)
        if key and cell and cell.strip()
    }
    record, problems = {}, _length_problems(raw)
    for key in TEXT_KEYS + ("source", "responsible"):
        if key in raw:
            record[key] = raw[key]
    if "country" in raw:
        code = (countries or {}).get(name_key(raw["country"]))
        if code is None and countries is None and re.fullmatch(r"[A-Za-z]{2}", raw["country"]):
            code = raw["country"].upper()
        if code:
            record["country"] = code
        else:
            problems.append(RowProblem("country", "country", raw["country"]))
    phone_country = record.get("country") or default_country
    for key in PHONE_KEYS:
        if key in raw:
            try:
                record[key] = normalize_phone(raw[key], phone_country)
            except InvalidPhone as error:
                problems.append(RowProblem("phone", key, raw[key], error=error))
    for key, (parse, code) in _VALUE_PARSERS.items():
        if key in raw:
            value = parse(raw[key])
            if value is None:
                problems.append(RowProblem(code, key, raw[key]))
            else:
                record[key] = value
    if record.get("birthday") and record["birthday"] > (today or date.today()):
        problems.append(RowProblem("birthday_future", "birthday", raw.pop("birthday")))
        del record["birthday"]
    if "tags" in raw:
        record["tags"] = parse_tags(raw["tags"])
    return record, problems


def full_name(record):
    """The name a client record gets: its full name, else first and last names."""
    return record.get("name") or " ".join(
        record[key] for key in ("first_name", "last_name") if record.get(key)
    )


def duplicate_keys(record):
    """What identifies the client of a record: its E.164 phones and lower-case
    e-mail; only when it has none of those, its name (as ``"name:<name>"``)."""
    keys = [record[key] for key in PHONE_KEYS if record.get(key)]
    if record.get("email"):
        keys.append(record["email"].lower())
    if not keys and full_name(record):
        keys.append("name:" + name_key(full_name(record)))
    return keys


def error_report(errors, header, labels=("Row", "Reason"), separator=","):
    """CSV bytes (UTF-8 with BOM, for Excel) listing ``errors``: one line per
    ``(row_number, reason, cells)`` with the row's cells after the reason, so that
    the corrected file can be imported again."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=separator or ",", lineterminator="\r\n")
    writer.writerow(safe_csv_row([*labels, *header]))
    for row_number, reason, cells in errors:
        writer.writerow(safe_csv_row([row_number, reason, *cells]))
    return codecs.BOM_UTF8 + out.getvalue().encode("utf-8")
