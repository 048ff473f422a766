"""WTForms' own error messages in the console's languages.

WTForms ships no Indonesian catalogue: a box typed past its length said "Field cannot be
longer than 2 characters." on an Indonesian page, beside the box and in the error summary.
Every form of the console asks this instead (``web/forms.Form``): each message WTForms raises
for the fields and validators the console uses is a text of the console's own catalogue,
Indonesian at the source and English through ``translations/en``. A message not listed here
(from a validator the console does not use) passes through as WTForms wrote it.
"""

from __future__ import annotations

from typing import Final

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString

_TOO_LONG = _l("Paling banyak %(max)d karakter.")
_TOO_SHORT = _l("Paling sedikit %(min)d karakter.")
_EXACTLY = _l("Harus tepat %(max)d karakter.")
_NOT_OFFERED = _l("Pilih salah satu pilihan yang ada.")

# WTForms' message (both forms of one with a plural) -> the console's text. The texts keep
# WTForms' placeholders: WTForms fills them in after asking.
TEXTS: Final[dict[str, LazyString]] = {
    "This field is required.": _l("Wajib diisi."),
    "Field cannot be longer than %(max)d character.": _TOO_LONG,
    "Field cannot be longer than %(max)d characters.": _TOO_LONG,
    "Field must be at least %(min)d character long.": _TOO_SHORT,
    "Field must be at least %(min)d characters long.": _TOO_SHORT,
    "Field must be exactly %(max)d character long.": _EXACTLY,
    "Field must be exactly %(max)d characters long.": _EXACTLY,
    "Field must be between %(min)d and %(max)d characters long.": _l(
        "Antara %(min)d dan %(max)d karakter."
    ),
    "Field must be equal to %(other_name)s.": _l("Harus sama dengan isian %(other_name)s."),
    "Invalid input.": _l("Isian ini tidak dapat diterima."),
    "Not a valid choice.": _NOT_OFFERED,
    "'%(value)s' is not a valid choice for this field.": _NOT_OFFERED,
    "'%(value)s' are not valid choices for this field.": _NOT_OFFERED,
    "Invalid Choice: could not coerce.": _NOT_OFFERED,
    "Invalid choice(s): one or more data inputs could not be coerced.": _NOT_OFFERED,
    "Not a valid integer value.": _l("Tulis dengan angka."),
    "Not a valid date value.": _l("Tulis tanggal yang ada di kalender."),
}


class ConsoleTexts:
    """What WTForms calls for its messages (``gettext``, ``ngettext``), answered in the
    language of the request."""

    def gettext(self, string: str) -> str:
        text = TEXTS.get(string)
        return string if text is None else str(text)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self.gettext(singular if n == 1 else plural)


CONSOLE_TEXTS: Final = ConsoleTexts()
