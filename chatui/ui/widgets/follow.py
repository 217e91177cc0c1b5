"""A scrolling container that follows its end while the reader lets it."""

from __future__ import annotations

from textual.containers import VerticalScroll


class FollowingScroll(VerticalScroll):
    """Keeps the end in view as content grows, until the reader scrolls up.

    Following is a state, not a measurement: ``pinned`` is dropped only when the
    reader scrolls up and restored when they reach the end again. (Reading "is the
    view at the bottom?" each frame loses the end for good as soon as a layout
    between two frames grows the content.)
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.pinned = True

    def pin(self) -> None:
        """Jump to the end and keep following it."""
        self.pinned = True
        self.scroll_end(animate=False)

    def follow(self) -> None:
        """Bring the end into view after the next layout, unless the reader scrolled away."""
        if self.pinned:
            self.call_after_refresh(self._to_end)

    def _to_end(self) -> None:
        if self.pinned:
            self.scroll_to(y=self.max_scroll_y, animate=False, immediate=True)

    def watch_scroll_y(self, old: float, new: float) -> None:
        """Scrolling up unpins; reaching the end pins again."""
        super().watch_scroll_y(old, new)
        if new >= self.max_scroll_y - 1:
            self.pinned = True
        elif new < old:
            self.pinned = False
