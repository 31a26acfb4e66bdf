"""What SmartBook holds about a person, said once (no ORM).

- :data:`CONSENT_CHANNELS`: the channels a client consents to, each stored in the
  res.partner field ``smartbook_consent_<channel>`` (:func:`consent_field`) and
  logged in ``smartbook.consent.log.channel``;
- :data:`PERSONAL_FIELDS`: the res.partner fields that hold personal data, in the
  order of the GDPR access export. The access export reads all of them, the
  erasure blanks all of them but :data:`KEPT_ON_ERASURE`: what one is erased is
  then always in the export too.

The model reads these through ``res.partner._smartbook_personal_fields()`` and
``_smartbook_erased_fields()``, which other addons extend (smartbook_booking adds
the preferred services and specialists).
"""

CONSENT_CHANNELS = ("sms", "telegram", "email", "marketing")


def consent_field(channel):
    """The res.partner field of a consent channel."""
    return f"smartbook_consent_{channel}"


CONSENT_FIELDS = tuple(consent_field(channel) for channel in CONSENT_CHANNELS)

PERSONAL_FIELDS = (
    "name",
    "smartbook_first_name",
    "smartbook_last_name",
    "email",
    "phone",
    "mobile",
    "street",
    "street2",
    "zip",
    "city",
    "state_id",
    "country_id",
    "website",
    "function",
    "vat",
    "comment",
    "image_1920",
    "smartbook_birthday",
    "smartbook_gender",
    "smartbook_profession",
    "smartbook_source_id",
    "category_id",
    "smartbook_notes",
    "smartbook_blacklisted",
    "smartbook_blacklist_reason",
    "telegram_chat_id",
    *CONSENT_FIELDS,
    "create_date",
)

# Exported but not blanked by erasure: the name is replaced by "Erased client #id",
# the country stays for the taxes of the invoices kept, the source is the
# business's statistics, the creation date is the record's own.
KEPT_ON_ERASURE = frozenset({"name", "country_id", "smartbook_source_id", "create_date"})


def erased_fields(personal_fields):
    """The fields of ``personal_fields`` that erasure blanks."""
    return tuple(name for name in personal_fields if name not in KEPT_ON_ERASURE)
