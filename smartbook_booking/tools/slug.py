"""URL slugs for public booking pages (no ORM)."""

import re
import unicodedata


def slugify(text):
    """``"Women's Haircut"`` -> ``"womens-haircut"``; accents dropped, other
    scripts kept as they are (browsers show them in addresses)."""
    text = unicodedata.normalize("NFKD", text or "")
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    text = re.sub(r"['’]", "", text)
    return re.sub(r"[^\w]+", "-", text).strip("-")
