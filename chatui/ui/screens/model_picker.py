"""Pick a model: the gateway's list, fuzzy-filtered; any typed id is accepted too."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from chatui.commands import fuzzy_filter
from chatui.text import strip_controls


class ModelPicker(ModalScreen[str | None]):
    """A modal list of models; Enter picks the highlighted one or the typed id."""

    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel"), Binding("down", "down", show=False), Binding("up", "up", show=False)]
    CSS_PATH = "model_picker.tcss"

    def __init__(self, models: list[str], current: str, note: str = "") -> None:
        super().__init__()
        self.models = models
        self.current = current
        self.note = note

    def compose(self):
        with Vertical(id="picker"):
            yield Label(Text(f"Model (now: {strip_controls(self.current)})", style="bold"))
            yield Input(placeholder="type to filter, or any model id", id="model-filter")
            yield OptionList(id="model-list")
            yield Label(Text(self.note or "enter: choose · esc: cancel", style="dim"), id="picker-note")

    def on_mount(self) -> None:
        self._fill("")
        self.query_one(Input).focus()

    def _fill(self, query: str) -> None:
        options = self.query_one(OptionList)
        options.clear_options()
        matches = fuzzy_filter(query, self.models)
        options.add_options([Option(Text(strip_controls(m)), id=m) for m in matches])
        if matches:
            options.highlighted = matches.index(self.current) if not query and self.current in matches else 0

    @on(Input.Changed)
    def _filter(self, event: Input.Changed) -> None:
        self._fill(event.value)

    @on(Input.Submitted)
    def _submit(self, event: Input.Submitted) -> None:
        options = self.query_one(OptionList)
        typed = event.value.strip()
        if options.highlighted is not None and options.option_count:
            chosen = options.get_option_at_index(options.highlighted).id
            # an exact typed id wins over the highlighted fuzzy match
            self.dismiss(typed if typed and typed not in self.models and chosen != typed and not fuzzy_filter(typed, [chosen]) else chosen)
        elif typed:
            self.dismiss(typed)

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_down(self) -> None:
        """Move the highlight down while typing in the filter."""
        self.query_one(OptionList).action_cursor_down()

    def action_up(self) -> None:
        """Move the highlight up while typing in the filter."""
        self.query_one(OptionList).action_cursor_up()
