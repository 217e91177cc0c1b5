"""Repaint bookkeeping that does not grow with a widget's height.

On every size change Textual marks each line of a widget dirty, one set entry per line.
A streaming answer changes size every frame: at 300,000 lines (a 10 MB answer) that
cost ~30 ms per frame, twice (the answer and the message holding it), and 30 MB churned.
A line that is not in the styles cache is rendered anyway, so marking the cached lines
(those painted since the last clear: about a screenful) is the same repaint.
"""

from __future__ import annotations

from textual._styles_cache import StylesCache
from textual.geometry import Region


class LeanStylesCache(StylesCache):
    """Textual's styles cache, marking dirty only the lines it holds when a region is taller than the cache."""

    def set_dirty(self, *regions: Region) -> None:
        """Mark lines to render again (only cached ones matter: the rest render on first paint)."""
        if not regions:
            super().set_dirty()
            return
        cache = self._cache
        for region in regions:
            if region.height > len(cache):
                top, bottom = region.y, region.bottom
                self._dirty_lines.update(y for y in cache if top <= y < bottom)
            else:
                self._dirty_lines.update(region.line_range)


def lean(widget) -> None:
    """Give ``widget`` the lean styles cache (for widgets that can grow to many thousand lines)."""
    widget._styles_cache = LeanStylesCache()
