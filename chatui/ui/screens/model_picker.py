"""Pick a model: the gateway's list with what the catalogue says of each, filtered and sorted; any typed id is accepted too."""

from __future__ import annotations

from rich.text import Text
from textual import events, on
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from chatui.catalogue import CAPABILITIES, Catalogue, ModelInfo, price_rank
from chatui.commands import fuzzy_filter
from chatui.context import tokens_short
from chatui.cost import per_million
from chatui.i18n import N_, _
from chatui.text import cells, strip_controls

SORTS = ("name", "price", "context")
_SORT_WORDS = (N_("name"), N_("price"), N_("context"))  # as shown: "ctrl+s: sort by price"
ID_WIDTH = 34  # cells for the model id; the facts line up after it


class ModelPicker(ModalScreen[str | None]):
    """A modal list of models; Enter picks the highlighted one or the typed id.

    With a catalogue, each row shows the context length, the input/output price per
    1M tokens and the capabilities; typing a capability (vision, files, reasoning,
    web, tools) keeps the models that have it, and ctrl+s sorts by name, price or context.
    """

    BINDINGS = [
        Binding("escape", "dismiss(None)", N_("Cancel")),
        Binding("down", "down", show=False),
        Binding("up", "up", show=False),
        Binding("ctrl+s", "sort", N_("Sort"), show=False),
    ]
    CSS_PATH = "model_picker.tcss"
    KEYS = N_("enter: choose · esc: cancel")

    def __init__(self, models: list[str], current: str, note: str = "", catalogue: Catalogue | None = None) -> None:
        super().__init__()
        self.catalogue = catalogue or Catalogue()
        self.models = models or sorted(self.catalogue.models)
        self.current = current
        self.note = note
        self.sort = "name"

    def units(self) -> Text:
        """What the columns mean, when there are any."""
        return Text("  " + _("context · USD per 1M tokens · capabilities"), style="dim") if self.catalogue.models else Text()

    def hint(self) -> str:
        """The line under the list: the keys, and what filtering can do."""
        facts = " · " + _("type vision, reasoning, web… to filter · ctrl+s: sort by {order}").format(order=_(self.sort)) if self.catalogue.models else ""
        return (self.note or _(self.KEYS)) + facts

    def compose(self):
        with Vertical(id="picker"):
            yield Label(Text.assemble((_("Model (now: {model})").format(model=strip_controls(self.current)), "bold"), self.units()))
            yield Input(placeholder=_("type to filter, or any model id"), id="model-filter")
            yield OptionList(id="model-list")
            yield Label(Text(self.hint(), style="dim"), id="picker-note")

    def on_mount(self) -> None:
        self._fill("")
        self.query_one(Input).focus()

    def _fill(self, query: str) -> None:
        self.filled_for = query
        options = self.query_one(OptionList)
        options.clear_options()
        matches = self.matches(query)
        options.add_options([Option(self.option_text(m), id=m) for m in matches])
        if matches:
            options.highlighted = matches.index(self.current) if not query and self.current in matches else 0

    def _catch_up(self) -> None:
        """Filter now if keys came faster than the list followed (enter or space right after typing)."""
        value = self.query_one(Input).value
        if self.filled_for != value:
            self._fill(value)

    @on(Input.Changed)
    def _filter(self, event: Input.Changed) -> None:
        self._catch_up()  # the value now, not the one this (possibly late) event carries

    @on(Input.Submitted)
    def _submit(self, event: Input.Submitted) -> None:
        self._catch_up()
        options = self.query_one(OptionList)
        typed = " ".join(w for w in event.value.split() if w.lower() not in CAPABILITIES)  # filter words are not an id
        if options.highlighted is not None and options.option_count:
            chosen = options.get_option_at_index(options.highlighted).id
            # an exact typed id wins over the highlighted fuzzy match
            self.dismiss(typed if typed and typed not in self.models and chosen != typed and not fuzzy_filter(typed, [chosen]) else chosen)
        elif typed:
            self.dismiss(typed)

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def matches(self, query: str) -> list[str]:
        """The models for ``query``: capability words filter, the rest fuzzy-matches the id; then the chosen sort."""
        words = query.lower().split()
        wanted = [w for w in words if w in CAPABILITIES]
        rest = " ".join(w for w in words if w not in CAPABILITIES)
        pool = [m for m in self.models if all(c in self._info(m).capabilities for c in wanted)] if wanted else self.models
        found = fuzzy_filter(rest, pool) if rest else list(pool)
        if self.sort == "price":
            found.sort(key=lambda m: price_rank(self._info(m)))
        elif self.sort == "context":
            found.sort(key=lambda m: -(self._info(m).context_length or 0))
        return found  # by name: in the gateway's order (or the best fuzzy match first)

    def _info(self, model: str) -> ModelInfo:
        return self.catalogue.get(model) or ModelInfo(model)

    def option_text(self, model: str) -> Text:
        """How one model reads in the list: its id, then context, prices and capabilities when known."""
        return Text.assemble(self.mark(model), self.describe(model))

    def mark(self, model: str) -> Text:
        """What goes before the id (nothing here; the compare picker's tick)."""
        return Text()

    def describe(self, model: str) -> Text:
        """The id and the catalogue's facts, in aligned columns."""
        text = Text(no_wrap=True, overflow="ellipsis")
        name = Text(strip_controls(model))
        info = self.catalogue.get(model)
        if info is None:
            return name
        name.truncate(ID_WIDTH, overflow="ellipsis", pad=True)
        text.append_text(name)
        text.append(f" {tokens_short(info.context_length):>5}", style="bold" if self.sort == "context" else "")
        prices = info.prices
        if prices is not None and prices.known:
            text.append(f"  {per_million(prices.input):>7} {_('in')} {per_million(prices.output):>7} {_('out')}", style="bold" if self.sort == "price" else "")
        else:
            unknown = _("price unknown")
            width = 18 + cells(_("in")) + cells(_("out"))  # as wide as the prices it stands for
            text.append("  " + " " * max(0, width - cells(unknown)) + unknown, style="dim")
        caps = [c for c in CAPABILITIES if c in info.capabilities]
        if caps:
            text.append("  " + " ".join(caps), style="dim italic")
        return text

    def action_sort(self) -> None:
        """Sort by name, price (cheapest first) or context (longest first)."""
        self.sort = SORTS[(SORTS.index(self.sort) + 1) % len(SORTS)]
        self.query_one("#picker-note", Label).update(Text(self.hint(), style="dim"))
        self._fill(self.query_one(Input).value)

    def action_down(self) -> None:
        """Move the highlight down while typing in the filter."""
        self.query_one(OptionList).action_cursor_down()

    def action_up(self) -> None:
        """Move the highlight up while typing in the filter."""
        self.query_one(OptionList).action_cursor_up()


class TickingFilter(Input):
    """The filter of the compare picker: model ids have no spaces, so space ticks.

    Handled here, in the filter's own key order: a screen binding would run before
    the letters typed just ahead of it reached the filter.
    """

    async def _on_key(self, event: events.Key) -> None:
        if event.key == "space" and isinstance(self.screen, ComparePicker):
            event.stop()
            event.prevent_default()
            self.screen.action_toggle()
            return
        await super()._on_key(event)


class ComparePicker(ModelPicker):
    """The picker in multi-select mode, for /compare: space ticks 2 to 4 models, enter compares them.

    Ticks survive filtering; the order they were ticked in is the order of the columns.
    A typed id that is not in the list can be ticked too (space with no match).
    """

    KEYS = N_("space: tick (2 to 4) · enter: compare · esc: cancel")

    def __init__(self, models: list[str], ticked: list[str], note: str = "", catalogue: Catalogue | None = None) -> None:
        super().__init__(list(dict.fromkeys([*(models or sorted((catalogue or Catalogue()).models)), *ticked])), "", note, catalogue)
        self.ticked = list(ticked)

    def compose(self):
        with Vertical(id="picker"):
            yield Label(self._title(), id="picker-title")
            yield TickingFilter(placeholder=_("type to filter, or any model id"), id="model-filter")
            yield OptionList(id="model-list")
            yield Label(Text(self.hint(), style="dim"), id="picker-note")

    def _title(self) -> Text:
        now = ", ".join(strip_controls(m) for m in self.ticked) if self.ticked else _("none ticked")
        return Text.assemble((_("Compare models"), "bold"), f" ({now})", self.units())

    def mark(self, model: str) -> Text:
        """A ticked model shows the column it will have."""
        mark = f" {self.ticked.index(model) + 1} " if model in self.ticked else "   "
        return Text.assemble((mark, "reverse bold" if model in self.ticked else ""), " ")

    def action_toggle(self) -> None:
        """Tick or untick the highlighted model (or the typed id when nothing matches)."""
        options = self.query_one(OptionList)
        typed = self.query_one(Input).value.strip()
        self._catch_up()
        if options.highlighted is not None and options.option_count:
            model = options.get_option_at_index(options.highlighted).id or ""
        elif typed:
            model = typed
            self.models.append(typed)
        else:
            return
        self._tick(model)

    def _tick(self, model: str) -> None:
        if model in self.ticked:
            self.ticked.remove(model)
        elif len(self.ticked) >= 4:
            self.notify(_("Compare takes at most 4 models: untick one first."), severity="warning", markup=False)
            return
        else:
            self.ticked.append(model)
        options = self.query_one(OptionList)
        at = options.highlighted
        self._fill(self.query_one(Input).value)
        if at is not None and at < options.option_count:
            options.highlighted = at
        self.query_one("#picker-title", Label).update(self._title())

    @on(Input.Submitted)
    def _compare(self, event: Input.Submitted) -> None:
        event.prevent_default()  # not the single picker's choice
        if 2 <= len(self.ticked) <= 4:
            self.dismiss(list(self.ticked))
        else:
            self.notify(_("Tick 2 to 4 models with space ({n} ticked).").format(n=len(self.ticked)), severity="warning", markup=False)


    @on(OptionList.OptionSelected)
    def _tick_clicked(self, event: OptionList.OptionSelected) -> None:
        event.prevent_default()
        self._tick(event.option.id or "")  # a click ticks; enter in the filter compares
