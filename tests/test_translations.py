"""Every addon ships es, pt_BR, ru and sv translations of all its terms."""

import re

import polib
import pytest

from .common import ADDONS, ROOT

LANGUAGES = ("es", "pt_BR", "ru", "sv")


@pytest.mark.parametrize("addon", ADDONS)
def test_translations_complete(addon):
    template_path = ROOT / addon / "i18n" / f"{addon}.pot"
    assert template_path.exists(), f"{addon} has no i18n/{addon}.pot (bin/smartbook-i18n-export makes it)"
    template = polib.pofile(str(template_path))
    msgids = {entry.msgid for entry in template if entry.msgid}
    for language in LANGUAGES:
        path = ROOT / addon / "i18n" / f"{language}.po"
        assert path.exists(), f"{addon} has no {language} translation"
        catalog = polib.pofile(str(path))
        translated = {
            entry.msgid
            for entry in catalog
            if entry.msgstr and not entry.obsolete and "fuzzy" not in entry.flags
        }
        missing = sorted(msgids - translated)
        assert not missing, f"{addon}/{language}.po lacks {len(missing)} translations, e.g. {missing[:5]}"
        placeholders_kept = [
            entry.msgid
            for entry in catalog
            if entry.msgstr and _placeholders(entry.msgid) != _placeholders(entry.msgstr)
        ]
        assert not placeholders_kept, f"{addon}/{language}.po changes placeholders in {placeholders_kept[:5]}"


def _placeholders(text):
    """Python and QWeb format placeholders, and the ``{{ expression }}`` of message
    templates (a translated template must render the same fields)."""
    return sorted(re.findall(r"%\(\w+\)s|%s|%d|\{\{.*?\}\}|\{\w*\}", text))
