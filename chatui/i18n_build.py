"""Build-time and maintainers' tools for the catalogues: extract, update, compile (needs Babel).

``pip install`` runs :class:`BuildPy`, which compiles every ``.po`` into its ``.mo``
(into the source tree for an editable install, so a checkout works as installed).
By hand: ``python -m chatui.i18n_build extract|update|compile``.
"""

from __future__ import annotations

import sys
from pathlib import Path

from setuptools.command.build_py import build_py

PACKAGE = Path(__file__).parent
LOCALE = PACKAGE / "locale"
TEMPLATE = LOCALE / "chatui.pot"
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2)}
# Not the interface: the demo server's scripted answers are "the server's words".
SKIP = ("demo/", "i18n_build.py")


def catalogue_files() -> list[Path]:
    """Every language's ``.po`` source."""
    return sorted(LOCALE.glob("*/LC_MESSAGES/chatui.po"))


def extract():
    """The message catalogue of every marked string in the package's source, Babel's way."""
    from babel.messages.catalog import Catalog
    from babel.messages.extract import extract_from_dir

    catalogue = Catalog(project="chatui", charset="utf-8")
    found = extract_from_dir(
        str(PACKAGE),
        method_map=[("**.py", "python")],
        keywords=KEYWORDS,
        comment_tags=("TRANSLATORS:",),
        strip_comment_tags=True,
    )
    for filename, lineno, message, comments, context in found:
        if filename.startswith(SKIP):
            continue
        catalogue.add(message, None, [(f"chatui/{filename}", lineno)], auto_comments=comments, context=context)
    return catalogue


def compile_all(destination: Path) -> list[Path]:
    """Compile every ``.po`` under the source tree into ``destination``'s matching ``.mo``."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    written = []
    for po in catalogue_files():
        with po.open("rb") as f:
            catalogue = read_po(f)
        target = destination / po.relative_to(PACKAGE).with_suffix(".mo")
        target.parent.mkdir(parents=True, exist_ok=True)
        with target.open("wb") as f:
            write_mo(f, catalogue, use_fuzzy=False)
        written.append(target)
    return written


class BuildPy(build_py):
    """setuptools' build_py, plus the compiled catalogues."""

    def run(self):
        """Build as usual, then compile the catalogues where the package will be imported from."""
        super().run()
        # Editable installs import the source tree, so the .mo files go beside the .po files.
        destination = PACKAGE if getattr(self, "editable_mode", False) else Path(self.build_lib) / "chatui"
        compile_all(destination)


def _update() -> None:
    """Write the template and merge it into every language's catalogue."""
    from babel.messages.pofile import read_po, write_po

    template = extract()
    with TEMPLATE.open("wb") as f:
        write_po(f, template, width=120, omit_header=False, sort_output=False)
    for po in catalogue_files():
        with po.open("rb") as f:
            catalogue = read_po(f, locale=po.parent.parent.name)
        catalogue.update(template, no_fuzzy_matching=True)
        with po.open("wb") as f:
            write_po(f, catalogue, width=120, ignore_obsolete=True)


if __name__ == "__main__":
    action = sys.argv[1] if len(sys.argv) > 1 else "compile"
    if action == "extract":
        from babel.messages.pofile import write_po

        with TEMPLATE.open("wb") as f:
            write_po(f, extract(), width=120)
        print(TEMPLATE)
    elif action == "update":
        _update()
    else:
        for path in compile_all(PACKAGE):
            print(path)
