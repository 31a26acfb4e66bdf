import base64
import csv
import io
from datetime import date
from unittest.mock import patch

import openpyxl

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests.common import tagged

from ..models.smartbook_demo import BULK_CONTEXT, DEMO_TAGS
from ..tools.client_import import CONSENT_KEYS
from ..tools.demo_data import client_rows
from ..wizards.client_bulk_create import ClientBulkCreator
from .common import SmartbookCrmCase


def csv_bytes(header, rows, separator=",", encoding="utf-8"):
    out = io.StringIO(newline="")
    csv.writer(out, delimiter=separator, lineterminator="\r\n").writerows([header, *rows])
    return out.getvalue().encode(encoding)


@tagged("post_install", "-at_install")
class TestClientImport(SmartbookCrmCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.spain = cls.env.ref("base.es")
        cls.sweden = cls.env.ref("base.se")
        cls.env.company.country_id = cls.spain
        Category = cls.env["res.partner.category"]
        # The demo data may have a VIP tag: the import then finds that one.
        cls.tag_vip = Category.search([("name", "=", "VIP")], order="id", limit=1) or Category.create(
            {"name": "VIP"}
        )
        cls.tag_imported = Category.create({"name": "Imported 2026"})
        cls.Partner = cls.env["res.partner"].with_context(active_test=False)

    def _wizard(self, data, file_name="clients.csv", user=None, **values):
        wizard = (
            self.env["smartbook.client.import"]
            .with_user(user or self.user_manager)
            .create({"file": base64.b64encode(data), "file_name": file_name, **values})
        )
        wizard.action_load()
        return wizard

    def _import(self, data, file_name="clients.csv", user=None, **values):
        wizard = self._wizard(data, file_name, user=user, **values)
        wizard.action_import()
        return wizard

    def _client_count(self):
        return self.Partner.search_count([("smartbook_client", "=", True)])

    def _by_phone(self, phone):
        return self.Partner.search([("phone", "=", phone)])

    def _counts(self, wizard):
        return wizard.new_count, wizard.updated_count, wizard.skipped_count, wizard.error_count

    # ------------------------------------------------------------------ steps

    def test_steps_preview_dry_run_and_import(self):
        rows = [
            [f"Client {index}", f"+3461234{index:04d}", f"client{index}@example.es"] for index in range(8)
        ]
        wizard = self._wizard(csv_bytes(["Nombre completo", "Teléfono", "Correo"], rows))
        self.assertEqual(wizard.state, "mapping")
        self.assertEqual(wizard.row_count, 8)
        self.assertIn("8 rows", wizard.file_summary)
        self.assertEqual(wizard.column_ids.mapped("field_key"), ["name", "phone", "email"])
        self.assertEqual(wizard.column_ids[1].sample, "+34612340000 | +34612340001 | +34612340002")
        self.assertIn("Client 4", wizard.preview_html)
        self.assertNotIn("Client 5", wizard.preview_html)  # the first five rows only

        before = self._client_count()
        wizard.action_check()
        self.assertEqual(wizard.state, "summary")
        self.assertEqual(self._counts(wizard), (8, 0, 0, 0))
        self.assertEqual(self._client_count(), before, "a dry run writes nothing")

        wizard.action_back()
        self.assertEqual(wizard.state, "mapping")
        wizard.action_check()
        wizard.action_import()
        self.assertEqual(wizard.state, "done")
        self.assertEqual(self._counts(wizard), (8, 0, 0, 0))
        self.assertEqual(self._client_count(), before + 8)
        client = self._by_phone("+34612340003")
        self.assertEqual(
            (client.name, client.email, client.smartbook_client), ("Client 3", "client3@example.es", True)
        )

    def test_preview_escapes_the_file(self):
        wizard = self._wizard(csv_bytes(["Name", "Phone"], [["<b>Ana</b>", "+34612345678"]]))
        self.assertIn("&lt;b&gt;Ana&lt;/b&gt;", wizard.preview_html)

    def test_mapping_checked(self):
        wizard = self._wizard(csv_bytes(["Name", "Phone", "Notes"], [["Ana", "+34612345678", "tea"]]))
        wizard.column_ids[2].field_key = "name"
        with self.assertRaisesRegex(UserError, "Two columns are imported as Name"):
            wizard.action_check()
        wizard.column_ids.field_key = False
        wizard.column_ids[2].field_key = "notes"
        with self.assertRaisesRegex(UserError, "at least one column as a name, a phone or an e-mail"):
            wizard.action_import()

    # ------------------------------------------------------------------ files

    def test_encodings_and_separators(self):
        files = [
            ("utf-8", ",", ["Förnamn", "Efternamn", "Telefon"], ["Åsa", "Öberg", "+46701110001"]),
            ("utf-8-sig", ";", ["Nombre", "Apellidos", "Teléfono"], ["Lucía", "Peña", "+34611110002"]),
            ("cp1251", ";", ["Имя", "Фамилия", "Телефон"], ["Анна", "Смирнова", "+79161110003"]),
            ("latin-1", "\t", ["Nome", "Sobrenome", "Telefone"], ["João", "Conceição", "+5511911110004"]),
            ("latin-1", ",", ["First Name", "Last Name", "Phone"], ["Álvaro", "Muñoz", "+34611110005"]),
        ]
        for encoding, separator, header, row in files:
            with self.subTest(encoding=encoding, separator=separator):
                wizard = self._import(csv_bytes(header, [row], separator=separator, encoding=encoding))
                self.assertEqual(self._counts(wizard), (1, 0, 0, 0))
                client = self._by_phone(row[2])
                self.assertEqual(
                    (client.smartbook_first_name, client.smartbook_last_name, client.name),
                    (row[0], row[1], f"{row[0]} {row[1]}"),
                )

    def test_encoding_and_separator_chosen(self):
        data = csv_bytes(["Имя", "Телефон"], [["Анна", "+79161110007"]], separator=";", encoding="cp1251")
        wizard = self._import(data, encoding="cp1251", separator="semicolon")
        self.assertEqual(self._by_phone("+79161110007").name, "Анна")
        self.assertEqual(wizard.new_count, 1)

    def test_xlsx(self):
        workbook = openpyxl.Workbook()
        sheet = workbook.active
        sheet.append(["Förnamn", "Efternamn", "Mobil", "Födelsedatum", "Kön", "Land", "SMS-samtycke"])
        sheet.append(["Elsa", "Nilsson", "070-111 00 08", date(1990, 5, 17), "K", "SE", True])
        out = io.BytesIO()
        workbook.save(out)
        wizard = self._import(out.getvalue(), file_name="kunder.xlsx")
        self.assertEqual(self._counts(wizard), (1, 0, 0, 0))
        client = self.Partner.search([("mobile", "=", "+46701110008")])
        self.assertEqual(str(client.smartbook_birthday), "1990-05-17")
        self.assertEqual(
            (client.smartbook_gender, client.country_id, client.smartbook_consent_sms),
            ("female", self.sweden, True),
        )

    def test_headers_guessed_per_language(self):
        headers = {
            "en": ["First name", "Surname", "Phone", "E-mail"],
            "es": ["Nombre", "Apellido", "Teléfono", "Correo electrónico"],
            "pt": ["Nome", "Sobrenome", "Telefone", "E-mail"],
            "ru": ["Имя", "Фамилия", "Телефон", "Электронная почта"],
            "sv": ["Förnamn", "Efternamn", "Telefon", "E-post"],
        }
        for lang, header in headers.items():
            with self.subTest(lang=lang):
                wizard = self._wizard(csv_bytes(header, [["Ana", "Pérez", "+34612345678", "ana@example.es"]]))
                self.assertEqual(
                    wizard.column_ids.mapped("field_key"), ["first_name", "last_name", "phone", "email"]
                )

    def test_fatal_errors_change_nothing(self):
        xlsx = io.BytesIO()
        openpyxl.Workbook().save(xlsx)
        bad_files = [
            (b"\r\n \r\n", "clients.csv", {}, "empty"),
            (b"Name,Phone\r\n", "clients.csv", {}, "no clients"),
            (bytes.fromhex("89504e470d0a1a0a0000000d49484452"), "clients.csv", {}, "not a CSV file"),
            ("Имя\nАнна\n".encode("cp1251"), "clients.csv", {"encoding": "utf-8"}, "not written in Unicode"),
            (xlsx.getvalue()[:200], "clients.xlsx", {}, "damaged"),
            (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(64), "clients.xls", {}, "old Excel format"),
        ]
        before = self._client_count()
        for data, file_name, options, message in bad_files:
            with self.subTest(message=message), self.assertRaisesRegex(UserError, message):
                self._wizard(data, file_name, **options)
        # Loaded fine, then replaced by an unreadable file: the import refuses it whole.
        wizard = self._wizard(csv_bytes(["Name", "Phone"], [["Ana", "+34612345678"]]))
        wizard.file = base64.b64encode(b"\x00\x01\x02 binary")
        with self.assertRaisesRegex(UserError, "not a CSV file"):
            wizard.action_import()
        self.assertEqual(self._client_count(), before)
        with self.assertRaisesRegex(UserError, "Choose a file"):
            self.env["smartbook.client.import"].with_user(self.user_manager).create({}).action_load()

    # ------------------------------------------------------------------ rows

    def test_bad_rows_reported_good_rows_imported(self):
        header = ["Name", "Phone", "Email", "Birthday"]
        rows = [
            ["Good One", "+34612000001", "one@example.es", "1990-01-01"],
            ["Bad Phone", "12345", "bad@example.es", ""],
            ["Good Two", "612 000 002", "", "17.05.1985"],
            ["Bad Email", "+34612000003", "not-an-email", ""],
            ["Bad Date", "", "date@example.es", "31.02.1990"],
            ["", "", "noname@example.es", ""],
            ["Good Three", "", "three@example.es", ""],
        ]
        before = self._client_count()
        wizard = self._import(csv_bytes(header, rows))
        self.assertEqual(self._counts(wizard), (3, 0, 0, 4))
        self.assertEqual(self._client_count(), before + 3)
        self.assertEqual(self._by_phone("+34612000002").name, "Good Two")
        self.assertIn("The phone number 12345 is not valid", wizard.error_html)
        # The error report: row numbers as in a spreadsheet, reasons, the rows themselves.
        report = list(csv.reader(io.StringIO(base64.b64decode(wizard.error_file).decode("utf-8-sig"))))
        self.assertEqual(report[0], ["Row", "Reason", *header])
        self.assertEqual([line[0] for line in report[1:]], ["3", "5", "6", "7"])
        self.assertIn("12345 is not valid", report[1][1])
        self.assertEqual(report[1][2:], rows[1])
        self.assertIn("not-an-email in column Email is not an e-mail address", report[2][1])
        self.assertIn("31.02.1990 in column Birthday is not a date", report[3][1])
        self.assertIn("The row has no name", report[4][1])
        self.assertEqual(wizard.error_file_name, "clients-errors.csv")
        action = wizard.action_download_errors()
        self.assertEqual(
            action["url"],
            f"/web/content/smartbook.client.import/{wizard.id}/error_file/clients-errors.csv?download=true",
        )
        attachment = self.env["ir.attachment"].search(
            [
                ("res_model", "=", "smartbook.client.import"),
                ("res_id", "=", wizard.id),
                ("res_field", "=", "error_file"),
            ]
        )
        self.assertEqual(base64.b64decode(attachment.datas), base64.b64decode(wizard.error_file))

    def test_row_failing_in_the_database_does_not_stop_its_batch(self):
        # A real constraint of the database, for this test's transaction only: the
        # import's own checks pass the row, PostgreSQL refuses it.
        self.env.cr.execute(
            "ALTER TABLE res_partner ADD CONSTRAINT smartbook_test_refused_name "
            "CHECK (name <> 'Refused By The Database') NOT VALID"
        )
        rows = [
            ["Before", "+34612000011", "1", "VIP"],
            ["Refused By The Database", "+34612000012", "1", "VIP"],
            ["After", "+34612000013", "1", "VIP"],
        ]
        consent_logs = self.env["smartbook.consent.log"].search_count([])
        wizard = self._import(csv_bytes(["Name", "Phone", "SMS Consent", "Tags"], rows))
        self.assertEqual(self._counts(wizard), (2, 0, 0, 1))
        self.assertTrue(self._by_phone("+34612000011"))
        self.assertTrue(self._by_phone("+34612000013"))
        # Nothing of the refused row is written: no client, no consent, no tag link.
        self.assertFalse(self._by_phone("+34612000012"))
        self.assertFalse(self.Partner.search([("name", "=", "Refused By The Database")]))
        self.assertEqual(self.env["smartbook.consent.log"].search_count([]), consent_logs + 2)
        self.assertEqual(
            set(self.tag_vip.partner_ids.mapped("name")) & {"Before", "After", "Refused By The Database"},
            {"Before", "After"},
        )
        self.assertIn(
            "<td>3</td><td>The database refused the row, nothing of it was imported:", wizard.error_html
        )
        self.assertIn("smartbook_test_refused_name", wizard.error_html)
        report = list(csv.reader(io.StringIO(base64.b64decode(wizard.error_file).decode("utf-8-sig"))))
        self.assertEqual([line[0] for line in report[1:]], ["3"])
        self.assertEqual(report[1][2:], rows[1])

    def test_sizes_limited(self):
        huge = "A" * (10 * 1024 * 1024)
        rows = [
            ["Fine", "+34612000021", ""],
            [huge, "+34612000022", ""],
            ["N" * 129, "+34612000023", ""],
            ["Long Notes", "+34612000024", "x" * 4001],
            ["Max Name " + "n" * 119, "+34612000025", "y" * 4000],
        ]
        before = self._client_count()
        wizard = self._import(csv_bytes(["Name", "Phone", "Notes"], rows))
        self.assertEqual(self._counts(wizard), (2, 0, 0, 3))
        self.assertEqual(self._client_count(), before + 2)
        self.assertFalse(self._by_phone("+34612000022") | self._by_phone("+34612000023"))
        self.assertFalse(self._by_phone("+34612000024"))
        self.assertEqual(len(self._by_phone("+34612000025").name), 128)
        self.assertIn(
            "<td>3</td><td>Column Name holds 10485760 characters: at most 128 are imported. Shorten it.</td>",
            wizard.error_html,
        )
        self.assertIn("<td>4</td><td>Column Name holds 129 characters", wizard.error_html)
        self.assertIn("<td>5</td><td>Column Notes holds 4001 characters: at most 4000", wizard.error_html)
        self.assertLess(len(wizard.preview_html), 10_000, "the preview cuts long cells")

    def test_file_size_limited(self):
        data = csv_bytes(["Name", "Notes"], [["Ana", "x" * 1000]] * (33 * 1024))
        self.assertGreater(len(data), 32 * 1024 * 1024)
        before = self._client_count()
        with self.assertRaisesRegex(UserError, "files of at most 32 MB"):
            self._wizard(data)
        self.assertEqual(self._client_count(), before)

    def test_default_country_for_phones(self):
        rows = [["Elsa", "070-111 00 21", ""], ["Lucía", "611 100 022", "ES"], ["Ann", "+1 415 555 0123", ""]]
        wizard = self._import(
            csv_bytes(["Name", "Phone", "Country"], rows), default_country_id=self.sweden.id
        )
        self.assertEqual(wizard.error_count, 0)
        self.assertEqual(self._by_phone("+46701110021").name, "Elsa")
        self.assertFalse(self._by_phone("+46701110021").country_id, "the default country is for phones only")
        self.assertEqual(self._by_phone("+34611100022").country_id, self.spain)
        self.assertEqual(self._by_phone("+14155550123").name, "Ann")

    # ------------------------------------------------------------------ duplicates

    def _existing_client(self):
        return self.env["res.partner"].create(
            {
                "name": "Existing Client",
                "smartbook_client": True,
                "phone": "+34612000031",
                "email": "existing@example.es",
                "smartbook_profession": "Baker",
            }
        )

    DUPLICATE_ROWS = [
        ["Same Phone", "612 000 031", "", "Chef"],
        ["Same Email", "", "EXISTING@example.es", ""],
        ["Someone New", "+34612000032", "new@example.es", ""],
    ]

    def test_duplicates_skipped(self):
        existing = self._existing_client()
        wizard = self._import(csv_bytes(["Name", "Phone", "Email", "Profession"], self.DUPLICATE_ROWS))
        self.assertEqual(self._counts(wizard), (1, 0, 2, 0))
        self.assertEqual((existing.name, existing.smartbook_profession), ("Existing Client", "Baker"))

    def test_duplicates_updated(self):
        existing = self._existing_client()
        wizard = self._import(
            csv_bytes(["Name", "Phone", "Email", "Profession"], self.DUPLICATE_ROWS),
            on_duplicate="update",
            tag_ids=[self.tag_imported.id],
        )
        self.assertEqual(self._counts(wizard), (1, 2, 0, 0))
        # Both rows updated the same client, in file order; empty cells keep values.
        self.assertEqual((existing.name, existing.smartbook_profession), ("Same Email", "Chef"))
        self.assertEqual(existing.phone, "+34612000031")
        self.assertEqual(existing.category_id, self.tag_imported)

    def test_duplicates_created(self):
        existing = self._existing_client()
        before = self._client_count()
        wizard = self._import(
            csv_bytes(["Name", "Phone", "Email", "Profession"], self.DUPLICATE_ROWS), on_duplicate="create"
        )
        self.assertEqual(self._counts(wizard), (3, 0, 0, 0))
        self.assertEqual(self._client_count(), before + 3)
        self.assertEqual(existing.name, "Existing Client")

    def test_same_client_twice_in_the_file(self):
        rows = [
            ["Ana", "+34612000041", ""],
            ["Ana García", "612000041", "ana@example.es"],
            ["Eva", "", "ana@example.es"],
        ]
        wizard = self._import(csv_bytes(["Name", "Phone", "Email"], rows))
        self.assertEqual(self._counts(wizard), (1, 0, 2, 0))
        wizard = self._import(csv_bytes(["Name", "Phone", "Email"], rows), on_duplicate="update")
        self.assertEqual(self._counts(wizard), (0, 3, 0, 0))
        client = self._by_phone("+34612000041")
        self.assertEqual((client.name, client.email), ("Eva", "ana@example.es"))
        # New rows merged before they are created, in a dry run as in an import.
        rows = [["Bo", "+34612000042", ""], ["Bo Ek", "+34612000042", "bo@example.se"]]
        wizard = self._wizard(csv_bytes(["Name", "Phone", "Email"], rows), on_duplicate="update")
        wizard.action_check()
        self.assertEqual(self._counts(wizard), (1, 1, 0, 0))
        wizard.action_import()
        self.assertEqual(self._counts(wizard), (1, 1, 0, 0))
        self.assertEqual(
            (self._by_phone("+34612000042").name, self._by_phone("+34612000042").email),
            ("Bo Ek", "bo@example.se"),
        )

    def test_reimport_creates_nothing_new(self):
        rows = [
            ["Ana", "García", "+34612000051", ""],
            ["Eva", "Ek", "", "eva@example.se"],
            ["Nameonly", "Client", "", ""],
        ]
        data = csv_bytes(["First Name", "Last Name", "Phone", "Email"], rows)
        first = self._import(data)
        self.assertEqual(self._counts(first), (3, 0, 0, 0))
        count = self._client_count()
        again = self._import(data)
        self.assertEqual(self._counts(again), (0, 0, 3, 0))
        updated = self._import(data, on_duplicate="update")
        self.assertEqual(self._counts(updated), (0, 3, 0, 0))
        self.assertEqual(self._client_count(), count)

    # ------------------------------------------------------------------ tags and lookups

    def test_tags_added(self):
        header = ["Name", "Phone", "Tags", "Source"]
        rows = [["Ana", "+34612000061", "vip", "Instagram"], ["Eva", "+34612000062", "", ""]]
        wizard = self._import(csv_bytes(header, rows), tag_ids=[self.tag_imported.id])
        self.assertEqual(wizard.error_count, 0)
        ana, eva = self._by_phone("+34612000061"), self._by_phone("+34612000062")
        self.assertEqual(ana.category_id, self.tag_vip | self.tag_imported)
        self.assertEqual(eva.category_id, self.tag_imported)
        self.assertEqual(ana.smartbook_source_id.name, "Instagram")

    def test_unknown_tags_created_by_who_may(self):
        Category = self.env["res.partner.category"]
        data = csv_bytes(["Name", "Phone", "Tags"], [["Ana", "+34612000071", "VIP, Brand New Tag"]])
        # Who may add tags is the security rules' decision; who may not gets a row error.
        if not Category.with_user(self.user_manager).has_access("create"):
            wizard = self._wizard(data)
            wizard.action_import()
            self.assertEqual(self._counts(wizard), (0, 0, 0, 1))
            self.assertIn("There is no tag Brand New Tag", wizard.error_html)
        wizard = self._wizard(data, user=self.user_admin)
        wizard.action_check()
        self.assertFalse(Category.search([("name", "=", "Brand New Tag")]), "a dry run creates no tag")
        self.assertEqual(self._counts(wizard), (1, 0, 0, 0))
        wizard.action_import()
        self.assertEqual(self._by_phone("+34612000071").category_id.mapped("name"), ["Brand New Tag", "VIP"])

    def test_responsible_and_unknown_values(self):
        header = ["Name", "Phone", "Responsible", "Gender", "Country", "SMS"]
        rows = [
            ["Ana", "+34612000081", "sb_employee", "f", "Spain", "yes"],
            ["Eva", "+34612000082", "Nobody Here", "female", "ES", "1"],
            ["Bo", "+46701110083", "Kim Employee", "man", "Narnia", "maybe"],
        ]
        wizard = self._import(csv_bytes(header, rows))
        self.assertEqual(self._counts(wizard), (1, 0, 0, 2))
        ana = self._by_phone("+34612000081")
        self.assertEqual(
            (ana.smartbook_user_id, ana.smartbook_gender, ana.country_id),
            (self.user_employee, "female", self.spain),
        )
        self.assertTrue(ana.smartbook_consent_sms)
        self.assertIn("There is no user Nobody Here", wizard.error_html)
        self.assertIn("Narnia in column Country is not a country", wizard.error_html)
        self.assertIn("maybe in column SMS is not a yes or a no", wizard.error_html)

    # ------------------------------------------------------------------ round trip

    def test_round_trip_of_1000_clients(self):
        tags = [self.env["res.partner.category"].search([("name", "=", name)], limit=1) for name in DEMO_TAGS]
        tags = [
            tag or self.env["res.partner.category"].create({"name": name})
            for tag, name in zip(tags, DEMO_TAGS, strict=True)
        ]
        sources = self.env["smartbook.source"].search([], limit=6)
        self.assertEqual(len(sources), 6)
        generated = list(client_rows(1000, seed=7, start_index=500_000))
        header = ["first_name", "last_name", "phone", "email", "birthday", "gender", "country", "tags"]
        header += ["source", "blacklisted", *CONSENT_KEYS]
        rows = [
            [
                row["first_name"],
                row["last_name"],
                row["phone"],
                row["email"],
                row["birthday"].isoformat(),
                row["gender"],
                row["country_code"],
                ", ".join(tags[index].name for index in row["tag_indices"]),
                sources[row["source_index"]].name,
                "1" if row["blacklisted"] else "0",
                *("1" if row["consents"][key.removeprefix("consent_")] else "0" for key in CONSENT_KEYS),
            ]
            for row in generated
        ]
        data = csv_bytes(header, rows, separator=";")
        before = self._client_count()
        wizard = self._import(data)
        self.assertEqual(self._counts(wizard), (1000, 0, 0, 0))
        self.assertEqual(self._client_count(), before + 1000)

        def snapshot():
            clients = self.Partner.search([("phone", "in", [row["phone"] for row in generated])])
            return {
                client.phone: (
                    client.name,
                    client.smartbook_first_name,
                    client.smartbook_last_name,
                    client.email,
                    client.smartbook_birthday,
                    client.smartbook_gender,
                    client.country_id.code,
                    sorted(client.category_id.mapped("name")),
                    client.smartbook_source_id.name,
                    client.smartbook_blacklisted,
                    *(client[f"smartbook_{key}"] for key in CONSENT_KEYS),
                )
                for client in clients
            }

        imported = snapshot()
        expected = {
            row["phone"]: (
                f"{row['first_name']} {row['last_name']}",
                row["first_name"],
                row["last_name"],
                row["email"],
                row["birthday"],
                row["gender"],
                row["country_code"],
                sorted(tags[index].name for index in row["tag_indices"]),
                sources[row["source_index"]].name,
                row["blacklisted"],
                *(row["consents"][key.removeprefix("consent_")] for key in CONSENT_KEYS),
            )
            for row in generated
        }
        self.assertEqual(imported, expected)
        self.assertEqual({row["country_code"] for row in generated}, {"ES", "BR", "RU", "SE", "US"})
        # The same file again, updating: nothing new, nothing changed.
        again = self._import(data, on_duplicate="update")
        self.assertEqual(self._counts(again), (0, 1000, 0, 0))
        self.assertEqual(self._client_count(), before + 1000)
        self.assertEqual(snapshot(), expected)

    # ------------------------------------------------------------------ fast path

    def test_bulk_created_client_equals_orm_created_one(self):
        vals = {
            "smartbook_client": True,
            "user_id": False,
            "smartbook_first_name": "Bulk",
            "smartbook_last_name": "Ana",
            "phone": "612 000 031",
            "email": "Bulk.Ana@Example.es",
            "smartbook_birthday": date(1991, 2, 3),
            "smartbook_gender": "female",
            "smartbook_profession": "Nurse",
            "city": "Sevilla",
            "country_id": self.spain.id,
            "smartbook_source_id": self.env["smartbook.source"].search([], limit=1).id,
            "smartbook_user_id": self.user_employee.id,
            "smartbook_notes": "<p>Likes tea</p>",
            "smartbook_blacklisted": True,
            "smartbook_blacklist_reason": "No-shows",
            "smartbook_consent_sms": True,
            "smartbook_consent_marketing": True,
            "category_id": [Command.link(self.tag_vip.id), Command.link(self.tag_imported.id)],
        }
        Partner = self.env["res.partner"].with_context(**BULK_CONTEXT)
        [bulk_id] = ClientBulkCreator(Partner).create_clients([vals])
        orm = Partner.create(dict(vals))
        # A second twin tells which fields are drawn anew for every record (a random
        # token): those differ between any two creations and are not compared.
        twin = Partner.create(dict(vals))
        self.env.flush_all()
        self.env.invalidate_all()
        bulk = self.Partner.browse(bulk_id)
        per_record = {
            name
            for name, field in Partner._fields.items()
            if field.store
            and field.type not in ("one2many", "many2many")
            and name != "id"
            and orm[name] != twin[name]
        } - {"create_date", "write_date"}
        self.assertLessEqual(len(per_record), 2, per_record)
        self.assertTrue(all(bulk[name] for name in per_record), "the bulk path fills them too")
        self.assertEqual(bulk.name, "Bulk Ana")
        self.assertEqual(bulk.commercial_partner_id, bulk)
        self.assertEqual(orm.commercial_partner_id, orm)
        compared = 0
        for name, field in Partner._fields.items():
            if not field.store or name in ("id", "commercial_partner_id") or name in per_record:
                continue
            with self.subTest(field=name):
                if field.type == "one2many":
                    self.assertEqual(len(bulk[name]), len(orm[name]))
                elif field.type in ("many2one", "many2many"):
                    self.assertEqual(bulk[name].ids, orm[name].ids)
                else:
                    self.assertEqual(bulk[name], orm[name])
                compared += 1
        self.assertGreater(compared, 100, "every stored field of res.partner, from every addon")
        self.assertEqual(
            bulk.smartbook_consent_log_ids.mapped("channel"), orm.smartbook_consent_log_ids.mapped("channel")
        )
        self.assertEqual(sorted(bulk.smartbook_consent_log_ids.mapped("channel")), ["marketing", "sms"])
        self.assertEqual(self.tag_vip.partner_ids & (bulk | orm), bulk | orm)
        self.assertEqual(
            self.Partner.search(
                [("phone", "=", "+34612000031"), ("email_normalized", "=", "bulk.ana@example.es")]
            ),
            bulk | orm | twin,
        )
        self.assertEqual(self.Partner.name_search("Bulk An")[0][1], "Bulk Ana")

    def test_import_takes_the_fast_path(self):
        rows = [["Fast One", "+34612000041", "fast.one@example.es", "VIP"], ["Fast Two", "", "", ""]]
        before = self._client_count()
        # A spy, not a replacement: the real fast path runs.
        with patch.object(
            ClientBulkCreator, "create_clients", autospec=True, side_effect=ClientBulkCreator.create_clients
        ) as spy:
            wizard = self._import(csv_bytes(["Name", "Phone", "Email", "Tags"], rows))
        self.assertEqual(spy.call_count, 1)
        self.assertEqual(self._counts(wizard), (2, 0, 0, 0))
        self.assertFalse(wizard.error_html)
        self.assertEqual(self._client_count(), before + 2)
        fast_one = self.Partner.search([("name", "=", "Fast One")])
        self.assertEqual((fast_one.phone, fast_one.category_id), ("+34612000041", self.tag_vip))
        self.assertTrue(self.Partner.search([("display_name", "ilike", "Fast Two")]))
