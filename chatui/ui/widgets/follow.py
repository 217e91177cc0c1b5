"""A scrolling container that follows its end while the reader lets it."""

from __future__ import annotations

import time

from textual.containers import VerticalScroll

HOLD_FOR = 0.5  # seconds a hold_end request lasts unless repeated


class Following:
    """Keeps the end of a scrolling widget in view as content grows, until the reader scrolls up.

    Following is a state, not a measurement: ``pinned`` is dropped only when the
    reader scrolls up and restored when they reach the end again. (Reading "is the
    view at the bottom?" each frame loses the end for good as soon as a layout
    between two frames grows the content.)
    """

    pinned = True
    _held_until = 0.0  # hold_end's request lasts until then
    _end_pending = False  # one scroll to the end per refresh, however many asked for it

    max_scroll_y: float

    def pin(self) -> None:
        """Jump to the end and keep following it."""
        self.pinned = True
        self.scroll_end(animate=False)

    def follow(self) -> None:
        """Bring the end into view after the next layout, unless the reader scrolled away."""
        if self.pinned and not self._end_pending:
            self._end_pending = True
            self.call_after_refresh(self._to_end)

    def _to_end(self) -> None:
        self._end_pending = False
        if self.pinned:
            self.scroll_to(y=self.max_scroll_y, animate=False, immediate=True)

    def hold_end(self, hold: bool) -> None:
        """Keep the end in view within each layout (Textual's anchor) while ``hold``, if following.

        After-refresh scrolling lags a frame. That is harmless, except while an answer's backlog
        renders in slices every few milliseconds: the view then never shows its last lines.
        """
        if hold:
            self._held_until = time.monotonic() + HOLD_FOR
            if self.pinned and not self._anchored:  # type: ignore[attr-defined]
                self.anchor()  # type: ignore[attr-defined]
        elif self._anchored:  # type: ignore[attr-defined]
            self._anchored = False

    def arrange(self, size, *args, **kwargs):
        """Textual's arrangement; the anchor is dropped when the content fits (anchored, it would scroll to a negative offset)."""
        result = super().arrange(size, *args, **kwargs)  # type: ignore[misc]
        if self._anchored and (result.spatial_map.total_region.bottom <= size.height or time.monotonic() > self._held_until):  # type: ignore[attr-defined]
            self._anchored = False  # (also once nothing asked to hold lately: the view that asked may be gone)
        return result

    def watch_virtual_size(self) -> None:
        """Content that grew in a layout nobody asked to follow (a status line, a class change) is followed too."""
        self.follow()

    def watch_scroll_y(self, old: float, new: float) -> None:
        """Scrolling up unpins; reaching the end pins again."""
        super().watch_scroll_y(old, new)
        if new >= self.max_scroll_y - 1:
            self.pinned = True
        elif new < old:
            self.pinned = False
            self.release_anchor()  # type: ignore[attr-defined]  # (however it scrolled: a key, the wheel, a jump to a turn)


class FollowingScroll(Following, VerticalScroll):
    """A vertical scroll that follows its end (the conversation, the reasoning pane)."""
