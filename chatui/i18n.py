"""The interface's language: which one applies, and the gettext lookups every module uses.

Strings are marked with ``_()`` (translated where they are shown), ``N_()`` (kept in
English in a table and translated when displayed, so ``/lang`` can switch at run time)
and ``ngettext()`` (plural forms). Catalogues are ``chatui/locale/*/LC_MESSAGES/chatui.po``,
compiled to ``.mo`` when the package is built or installed (see ``i18n_build``).
"""

from __future__ import annotations

import gettext
from collections.abc import Mapping
from pathlib import Path

DOMAIN = "chatui"
LOCALE_DIR = Path(__file__).parent / "locale"
# Each language's own name, as its speakers write it.
LANGUAGES: dict[str, str] = {"en": "English", "fr": "Français", "zh_CN": "简体中文", "ko": "한국어"}
SOURCE = "en"
# Locale variables in the order the C library reads them for messages.
LOCALE_VARS = ("LC_ALL", "LC_MESSAGES", "LANG")


class _State:
    """The language in use; one per process, like the C locale, so every module reads the same."""

    code = SOURCE
    catalogue: gettext.NullTranslations = gettext.NullTranslations()


def _(message: str) -> str:
    """``message`` in the language in use."""
    return _State.catalogue.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The form of a message that fits ``n`` in the language in use."""
    return _State.catalogue.ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Mark ``message`` for extraction; it is translated later, where it is shown."""
    return message


def current() -> str:
    """The code of the language in use."""
    return _State.code


def normalise(code: str | None) -> str | None:
    """The supported language a code or locale name means ("fr_FR.UTF-8" → "fr"), or None."""
    if not code:
        return None
    text = code.strip().split(".")[0].split("@")[0].replace("-", "_")
    if not text:
        return None
    low = text.lower()
    if low in ("c", "posix"):
        return SOURCE
    lang, _sep, region = low.partition("_")
    if lang == "zh":
        # Traditional Chinese is not offered; Simplified is closer than English for most readers.
        return "zh_CN" if region not in ("tw", "hk", "mo", "hant") else None
    return lang if lang in LANGUAGES else None


def choose(configured: str | None, environ: Mapping[str, str]) -> tuple[str, str | None]:
    """The language to use and a one-line note when a code asked for is unknown.

    ``[ui] language`` wins, then ``CHATUI_LANG``, then the locale variables, then English.
    """
    for origin, raw in (("[ui] language", configured), ("CHATUI_LANG", environ.get("CHATUI_LANG"))):
        if raw:
            code = normalise(raw)
            if code is None:
                return SOURCE, unknown_note(raw, origin)
            return code, None
    for name in LOCALE_VARS:
        raw = environ.get(name)
        if raw:
            # A locale chatui has no catalogue for means English, silently: it was not asked of chatui.
            return normalise(raw) or SOURCE, None
    return SOURCE, None


def unknown_note(raw: str, origin: str = "") -> str:
    """The one line said when a language code is not one chatui speaks."""
    known = ", ".join(LANGUAGES)
    where = f" ({origin})" if origin else ""
    return _("Unknown language '{code}'{where}: using English. Known: {known}.").format(code=raw, where=where, known=known)


def use(code: str) -> str:
    """Switch every later lookup to ``code`` (a supported code); returns the code in use."""
    if code not in LANGUAGES:
        code = SOURCE
    if code == SOURCE:
        catalogue: gettext.NullTranslations = gettext.NullTranslations()
    else:
        catalogue = gettext.translation(DOMAIN, localedir=str(LOCALE_DIR), languages=[code], fallback=True)
    _State.code, _State.catalogue = code, catalogue
    return code


def available() -> dict[str, bool]:
    """For each language, whether its compiled catalogue is installed (English always is)."""
    return {code: code == SOURCE or (LOCALE_DIR / code / "LC_MESSAGES" / f"{DOMAIN}.mo").is_file() for code in LANGUAGES}
