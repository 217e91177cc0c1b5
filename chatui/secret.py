"""The API key as an object that never shows itself: safe in reprs, logs and tracebacks."""

from __future__ import annotations


class Secret:
    """An API key. ``reveal()`` is called where a header is built; every other view is masked.

    Tracebacks that print frame locals (Textual's do) show ``<secret …wxyz>``, never the key.
    """

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    @classmethod
    def of(cls, value: str | Secret | None) -> Secret | None:
        """A Secret for ``value`` (None or an empty key: None)."""
        if isinstance(value, Secret):
            return value if value._value else None
        return cls(value) if value else None

    def reveal(self) -> str:
        """The key itself, for the Authorization header and for redacting what servers echo."""
        return self._value

    def __repr__(self) -> str:
        return f"<secret …{self._value[-4:]}>" if len(self._value) > 8 else "<secret>"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)

    def __reduce__(self):  # never pickled into a file or a worker
        raise TypeError("a Secret cannot be pickled")
