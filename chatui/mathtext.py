"""LaTeX math in answers, shown as readable Unicode (Greek, sub/superscripts, fractions, roots).

Only what is displayed changes: transcripts and copies keep the source. Spans
are ``$…$``, ``$$…$$``, ``\\(…\\)`` and ``\\[…\\]`` outside code; a ``$`` that
reads as money ("$5 and $10") is left alone (pandoc's rule: no space inside the
delimiters, no digit right after the closing one). The conversion is flatlatex's.
"""

from __future__ import annotations

import re
from functools import lru_cache

_DISPLAY = re.compile(r"\$\$(.+?)\$\$|\\\[(.+?)\\\]", re.S)
_INLINE = re.compile(r"(?<![\\$])\$(?![\s$])((?:\\.|[^$\n\\])+?)(?<!\s)\$(?!\d)|\\\((.+?)\\\)")
_CODE = re.compile(r"(`+)(?:.|\n)*?(?<!`)\1(?!`)")
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~])")
_FUNCTIONS = re.compile(r"\\(sin|cos|tan|cot|sec|csc|log|ln|exp|lim|max|min|det|sup|inf|arg|deg|gcd|Pr)(?![A-Za-z])\s*")
_COMMANDS = (
    r"\newcommand\to{→}",
    r"\newcommand\le{≤}",
    r"\newcommand\ge{≥}",
    r"\newcommand\leq{≤}",
    r"\newcommand\geq{≥}",
    r"\newcommand\mathrm[1]{#1}",
    r"\newcommand\text[1]{#1}",
    r"\newcommand\textbf[1]{#1}",
    r"\newcommand\operatorname[1]{#1}",
    r"\newcommand\left{}",
    r"\newcommand\right{}",
    r"\newcommand\displaystyle{}",
    r"\newcommand\quad{  }",
    r"\newcommand\qquad{    }",
)


def has_math(text: str) -> bool:
    """A cheap test before the real work: could ``text`` hold a math span?"""
    return "$" in text or "\\(" in text or "\\[" in text


@lru_cache(maxsize=1)
def _converter():
    import flatlatex

    conv = flatlatex.converter(keep_spaces=True)
    for command in _COMMANDS:
        conv.add_newcommand(command)
    return conv


@lru_cache(maxsize=512)
def to_unicode(latex: str) -> str:
    """One formula as Unicode (what flatlatex cannot read is left as it was)."""
    source = _FUNCTIONS.sub(lambda m: m.group(1) + " ", latex.strip())
    try:
        out = _converter().convert(source)
    except Exception:  # noqa: BLE001 - malformed LaTeX stays readable as source
        return latex.strip()
    return " ".join(out.split())


def _escaped(text: str) -> str:
    return _MD_SPECIAL.sub(r"\\\1", text)


def _outside_code(markdown: str, convert) -> str:
    out, pos = [], 0
    for m in _CODE.finditer(markdown):
        out.append(convert(markdown[pos : m.start()]))
        out.append(m.group(0))
        pos = m.end()
    out.append(convert(markdown[pos:]))
    return "".join(out)


def render_math(markdown: str) -> str:
    """Markdown with each math span replaced by its Unicode form (escaped so it stays text)."""
    if not has_math(markdown):
        return markdown

    def convert(text: str) -> str:
        text = _DISPLAY.sub(lambda m: "\n\n" + _escaped(to_unicode(m.group(1) or m.group(2) or "")) + "\n\n", text)
        return _INLINE.sub(lambda m: _escaped(to_unicode(m.group(1) or m.group(2) or "")), text)

    return _outside_code(markdown, convert)
