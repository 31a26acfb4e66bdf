import codecs
import io
from datetime import date, datetime

import openpyxl

from odoo.tests.common import BaseCase, tagged

from ..tools.client_import import (
    CLIENT_COLUMNS,
    SYNONYMS,
    UnreadableFile,
    decode,
    detect_encoding,
    duplicate_keys,
    error_report,
    guess_mapping,
    parse_row,
    read_csv,
    read_file,
    read_xlsx,
    sniff_separator,
)

RUSSIAN = "Имя;Фамилия;Телефон\nАнна;Смирнова;+79161234567\nИван;Попов;+79161234568\n"
SPANISH = "Nombre,Apellidos,Teléfono\nLucía,García,+34612345678\nÁlvaro,Muñoz Peña,+34612345679\n"
PORTUGUESE = "Nome\tSobrenome\tTelefone\nJoão\tConceição\t+5511912345678\nAna\tGonçalves\t+5511912345679\n"


def xlsx_bytes(rows):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


@tagged("post_install", "-at_install")
class TestReadFiles(BaseCase):
    """Decoding, separators and Excel: pure functions, no database."""

    def test_utf8_with_and_without_bom(self):
        for data in (SPANISH.encode(), codecs.BOM_UTF8 + SPANISH.encode()):
            client_file = read_csv(data)
            self.assertEqual(client_file.header, ["Nombre", "Apellidos", "Teléfono"])
            self.assertEqual(client_file.rows[1], (3, ["Álvaro", "Muñoz Peña", "+34612345679"]))
        self.assertEqual(read_csv(codecs.BOM_UTF8 + SPANISH.encode()).encoding, "utf-8-sig")
        # Asked for UTF-8, the BOM is still not part of the first header.
        self.assertEqual(read_csv(codecs.BOM_UTF8 + SPANISH.encode(), encoding="utf-8").header[0], "Nombre")

    def test_cp1251(self):
        data = RUSSIAN.encode("cp1251")
        self.assertEqual(detect_encoding(data), "cp1251")
        client_file = read_csv(data)
        self.assertEqual(client_file.header, ["Имя", "Фамилия", "Телефон"])
        self.assertEqual(client_file.rows[0][1], ["Анна", "Смирнова", "+79161234567"])

    def test_latin1(self):
        for text, separator in ((SPANISH, ","), (PORTUGUESE, "\t")):
            data = text.encode("latin-1")
            self.assertEqual(detect_encoding(data), "latin-1")
            client_file = read_csv(data)
            self.assertEqual(client_file.separator, separator)
            self.assertEqual(client_file.rows[0][1], text.splitlines()[1].split(separator))

    def test_utf16_with_bom(self):
        client_file = read_csv(SPANISH.replace(",", "\t").encode("utf-16"))
        self.assertEqual(client_file.separator, "\t")
        self.assertEqual(client_file.rows[0][1], ["Lucía", "García", "+34612345678"])

    def test_encoding_asked_for_and_wrong(self):
        with self.assertRaises(UnreadableFile) as caught:
            read_csv(RUSSIAN.encode("cp1251"), encoding="utf-8")
        self.assertEqual(caught.exception.reason, "encoding")
        # Read as asked, even where detection would say otherwise.
        self.assertEqual(read_csv(SPANISH.encode("latin-1"), encoding="cp1251").encoding, "cp1251")

    def test_binary_file_refused(self):
        png = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000")
        for data in (png, "Name\nAna\n".encode("utf-16-le")):
            with self.assertRaises(UnreadableFile) as caught:
                read_file(data, "clients.csv")
            self.assertEqual(caught.exception.reason, "binary")

    def test_separators(self):
        for separator in (",", ";", "\t"):
            text = separator.join(["Name", "Phone", "Tags"]) + "\n"
            text += separator.join(["Ana", "+34612345678", '"VIP, New; Old"']) + "\n"
            client_file = read_csv(text.encode())
            self.assertEqual(client_file.separator, separator)
            self.assertEqual(client_file.rows, [(2, ["Ana", "+34612345678", "VIP, New; Old"])])

    def test_separator_sniffed_past_commas_in_values(self):
        text = "Name;Notes;Phone\nAna;likes tea, no sugar, hot;+34612345678\nEva;a, b;+34612345679\n"
        self.assertEqual(sniff_separator(text), ";")
        self.assertEqual(read_csv(text.encode(), separator=";").rows[1][1][1], "a, b")

    def test_blank_rows_skipped_and_numbers_kept(self):
        client_file = read_csv(b"\n\nName,Phone\nAna,1\n,\n\nEva,2\nBo\n")
        self.assertEqual(client_file.header, ["Name", "Phone"])
        self.assertEqual(client_file.rows, [(4, ["Ana", "1"]), (7, ["Eva", "2"]), (8, ["Bo", ""])])

    def test_empty_and_header_only(self):
        for data, reason in ((b"", "empty"), (b"\n \n", "empty"), (b"Name,Phone\n", "no_rows")):
            with self.assertRaises(UnreadableFile) as caught:
                read_file(data, "clients.csv")
            self.assertEqual(caught.exception.reason, reason)

    def test_xlsx(self):
        data = xlsx_bytes(
            [
                ["Förnamn", "Efternamn", "Telefon", "Födelsedatum", "SMS-samtycke", "Antal"],
                ["Elsa", "Nilsson", "+46701234567", datetime(1990, 5, 17), True, 3.0],
                [None, None, None, None, None, None],
                ["Nils", None, 46701234568, date(1985, 1, 2), False, 2.5],
            ]
        )
        client_file = read_file(data, "kunder.xlsx")
        self.assertEqual(client_file.kind, "xlsx")
        self.assertEqual(
            client_file.rows[0], (2, ["Elsa", "Nilsson", "+46701234567", "1990-05-17", "1", "3"])
        )
        self.assertEqual(client_file.rows[1], (4, ["Nils", "", "46701234568", "1985-01-02", "0", "2.5"]))
        self.assertEqual(
            guess_mapping(client_file.header),
            ["first_name", "last_name", "phone", "birthday", "consent_sms", None],
        )

    def test_xlsx_preview_reads_the_first_rows(self):
        data = xlsx_bytes([["Name", "Phone"], *([f"Client {n}", f"+3461200{n:04d}"] for n in range(25))])
        preview = read_file(data, "clients.xlsx", max_rows=10)
        self.assertEqual((len(preview.rows), preview.row_count), (10, 25))
        self.assertEqual(preview.rows[-1], (11, ["Client 9", "+34612000009"]))
        self.assertEqual(read_file(data, "clients.xlsx").row_count, 25)
        # CSV files are read whole: their row count is exact from the start.
        self.assertEqual(read_file(b"Name\nAna\nEva\n", "clients.csv", max_rows=1).row_count, 2)

    def test_damaged_and_old_excel_refused(self):
        with self.assertRaises(UnreadableFile) as caught:
            read_xlsx(xlsx_bytes([["Name"], ["Ana"]])[:300])
        self.assertEqual(caught.exception.reason, "xlsx")
        with self.assertRaises(UnreadableFile) as caught:
            read_file(b"PK\x03\x04 not really a zip", "clients.xlsx")
        self.assertEqual(caught.exception.reason, "xlsx")
        with self.assertRaises(UnreadableFile) as caught:
            read_file(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100), "clients.xls")
        self.assertEqual(caught.exception.reason, "xls")

    def test_decode_detects(self):
        self.assertEqual(decode("Имя\nАнна\n".encode("cp1251")), ("Имя\nАнна\n", "cp1251"))
        self.assertEqual(decode("Nome\nJoão\n".encode("latin-1")), ("Nome\nJoão\n", "latin-1"))


@tagged("post_install", "-at_install")
class TestGuessMapping(BaseCase):
    def test_english(self):
        header = [
            "First Name",
            "Last Name",
            "Phone",
            "Mobile phone",
            "E-mail",
            "Date of birth",
            "Sex",
            "Tags",
        ]
        self.assertEqual(
            guess_mapping(header),
            ["first_name", "last_name", "phone", "mobile", "email", "birthday", "gender", "tags"],
        )

    def test_spanish(self):
        header = [
            "Nombre",
            "Apellidos",
            "Teléfono",
            "Teléfono móvil",
            "Correo electrónico",
            "Fecha de nacimiento",
        ]
        self.assertEqual(
            guess_mapping(header), ["first_name", "last_name", "phone", "mobile", "email", "birthday"]
        )

    def test_portuguese(self):
        header = [
            "Nome",
            "Sobrenome",
            "Telefone",
            "Celular",
            "E-mail",
            "Data de nascimento",
            "Sexo",
            "Cidade",
        ]
        self.assertEqual(
            guess_mapping(header),
            ["first_name", "last_name", "phone", "mobile", "email", "birthday", "gender", "city"],
        )

    def test_russian(self):
        header = [
            "Имя",
            "Фамилия",
            "Телефон",
            "Мобильный телефон",
            "Эл. почта",
            "Дата рождения",
            "Пол",
            "Метки",
        ]
        self.assertEqual(
            guess_mapping(header),
            ["first_name", "last_name", "phone", "mobile", "email", "birthday", "gender", "tags"],
        )
        self.assertEqual(guess_mapping(["ФИО", "Номер телефона"]), ["name", "phone"])

    def test_swedish(self):
        header = ["Förnamn", "Efternamn", "Telefon", "Mobil", "E-post", "Födelsedag", "Kön", "Land"]
        self.assertEqual(
            guess_mapping(header),
            ["first_name", "last_name", "phone", "mobile", "email", "birthday", "gender", "country"],
        )

    def test_keys_and_labels_of_the_export(self):
        keys = [key for key, _label in CLIENT_COLUMNS]
        self.assertEqual(guess_mapping(keys), keys)
        self.assertEqual(guess_mapping([label for _key, label in CLIENT_COLUMNS]), keys)

    def test_partial_headers_and_no_key_twice(self):
        self.assertEqual(
            guess_mapping(["Phone", "Phone 2", "Client e-mail address", "Created On", ""]),
            ["phone", None, "email", None, None],
        )
        # A short synonym only matches a whole header: "пол" is not in "полис".
        self.assertEqual(guess_mapping(["Полис"]), [None])

    def test_synonyms_normalised(self):
        self.assertEqual(SYNONYMS["telefono"], "phone")
        self.assertEqual(SYNONYMS["телефон"], "phone")
        self.assertEqual(SYNONYMS["fornamn"], "first_name")


@tagged("post_install", "-at_install")
class TestParseRow(BaseCase):
    MAPPING = [
        "first_name",
        "last_name",
        "phone",
        "email",
        "birthday",
        "gender",
        "country",
        "tags",
        "consent_sms",
    ]
    COUNTRIES = {"es": "ES", "spain": "ES", "españa": "ES", "se": "SE", "sweden": "SE", "ru": "RU"}

    def parse(self, cells, **kwargs):
        kwargs.setdefault("countries", self.COUNTRIES)
        return parse_row(cells, self.MAPPING, "ES", today=date(2026, 1, 1), **kwargs)

    def test_good_row(self):
        record, problems = self.parse(
            [
                "Lucía ",
                "García",
                "612 34 56 78",
                "Lucia@Example.es",
                "31.12.1990",
                "Mujer",
                "",
                "VIP; New, VIP",
                "sí",
            ]
        )
        self.assertEqual(problems, [])
        self.assertEqual(
            record,
            {
                "first_name": "Lucía",
                "last_name": "García",
                "phone": "+34612345678",
                "email": "Lucia@Example.es",
                "birthday": date(1990, 12, 31),
                "gender": "female",
                "tags": ["VIP", "New"],
                "consent_sms": True,
            },
        )
        self.assertEqual(duplicate_keys(record), ["+34612345678", "lucia@example.es"])

    def test_phone_read_in_row_country(self):
        record, problems = self.parse(["Elsa", "", "070-123 45 67", "", "", "", "Sweden", "", "0"])
        self.assertEqual(problems, [])
        self.assertEqual(
            (record["phone"], record["country"], record["consent_sms"]), ("+46701234567", "SE", False)
        )

    def test_invalid_values_reported_per_column(self):
        _record, problems = self.parse(
            ["Ana", "", "12345", "ana@", "1990-02-30", "?", "Atlantis", "", "maybe"]
        )
        self.assertEqual(
            [(problem.code, problem.column, problem.value) for problem in problems],
            [
                ("country", "country", "Atlantis"),
                ("phone", "phone", "12345"),
                ("email", "email", "ana@"),
                ("birthday", "birthday", "1990-02-30"),
                ("gender", "gender", "?"),
                ("boolean", "consent_sms", "maybe"),
            ],
        )
        self.assertEqual(problems[1].error.reason, "invalid")
        _record, problems = self.parse(["Ana", "", "call me", "", "2030-01-01", "", "", "", ""])
        self.assertEqual([(problem.code, problem.error and problem.error.reason) for problem in problems], [
            ("phone", "unparsable"), ("birthday_future", None)
        ])  # fmt: skip

    def test_phone_without_country(self):
        _record, problems = parse_row(["600123456"], ["phone"])
        self.assertEqual(problems[0].error.reason, "no_country")

    def test_dates_and_words(self):
        for text in ("1990-05-17", "17.05.1990", "17/05/1990", "1990-05-17 00:00:00"):
            record, _problems = parse_row([text], ["birthday"])
            self.assertEqual(record["birthday"], date(1990, 5, 17), text)
        for text, gender in (("F", "female"), ("Ж", "female"), ("Hombre", "male"), ("Kvinna", "female"),
                             ("masculino", "male"), ("Annat", "other")):  # fmt: skip
            self.assertEqual(parse_row([text], ["gender"])[0]["gender"], gender, text)
        words = [("Yes", True), ("Да", True), ("Sim", True), ("ja", True), ("x", True)]
        words += [("No", False), ("Нет", False), ("Nej", False), ("não", False), ("0", False)]
        for text, value in words:
            self.assertEqual(parse_row([text], ["consent_email"])[0]["consent_email"], value, text)

    def test_countries_without_table_are_iso_codes(self):
        self.assertEqual(parse_row(["br"], ["country"])[0], {"country": "BR"})
        self.assertEqual(parse_row(["Brazil"], ["country"])[1][0].code, "country")

    def test_name_key_when_no_phone_or_email(self):
        record, _problems = parse_row(["Ana  María", "Pérez"], ["first_name", "last_name"])
        self.assertEqual(duplicate_keys(record), ["name:ana maría pérez"])
        self.assertEqual(duplicate_keys({}), [])

    def test_error_report(self):
        report = error_report([(3, "Bad phone.", ["Ana", "12345"])], ["Name", "Phone"], separator=";")
        self.assertTrue(report.startswith(codecs.BOM_UTF8))
        self.assertEqual(report.decode("utf-8-sig"), "Row;Reason;Name;Phone\r\n3;Bad phone.;Ana;12345\r\n")


@tagged("post_install", "-at_install")
class TestCellSizes(BaseCase):
    def test_long_cells_refuse_the_row(self):
        mapping = ["name", "email", "notes", "tags"]
        record, problems = parse_row(["N" * 128, "a@example.es", "x" * 4000, "VIP, " + "t" * 128], mapping)
        self.assertFalse(problems)
        self.assertEqual(len(record["name"]), 128)
        cells = ["N" * 129, "a" * 250 + "@example.es", "x" * 4001, "VIP, " + "t" * 129]
        record, problems = parse_row(cells, mapping)
        self.assertEqual(
            [(problem.code, problem.column, problem.value, problem.limit) for problem in problems],
            [
                ("too_long", "name", "129", 128),
                ("too_long", "email", "261", 254),
                ("too_long", "notes", "4001", 4000),
                ("too_long", "tags", "129", 128),
            ],
        )
        self.assertNotIn("name", record)

    def test_file_size_limit(self):
        with self.assertRaises(UnreadableFile) as caught:
            read_file(b"Name\n" + b"x" * (32 * 1024 * 1024), "clients.csv")
        self.assertEqual(caught.exception.reason, "too_large")
