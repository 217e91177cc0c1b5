"""The conversation as a tree: every branch, the active one marked; enter jumps to a message."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, Tree

from chatui.conversation import Conversation, Turn
from chatui.i18n import N_, _
from chatui.text import one_line, strip_controls


class TreeScreen(ModalScreen[tuple[str, bool] | None]):
    """A modal tree of the conversation's turns; dismisses with the chosen turn's id and whether to lay its siblings side by side."""

    BINDINGS = [Binding("escape", "dismiss(None)", N_("Close")), Binding("v", "side_by_side", N_("Side by side"))]
    DEFAULT_CSS = """
    TreeScreen { align: center middle; }
    #tree-box { width: 100; max-width: 95%; height: 80%; border: round $accent; background: $surface; padding: 0 1; }
    #tree-box Tree { height: 1fr; }
    #tree-note { color: $text-muted; }
    """

    def __init__(self, conversation: Conversation) -> None:
        super().__init__()
        self.conversation = conversation

    def compose(self):
        conv = self.conversation
        with Vertical(id="tree-box"):
            title = strip_controls(conv.title) if conv.title else _("this conversation")
            yield Label(Text(_("Branches of “{title}”").format(title=title), style="bold"))
            tree: Tree[str | None] = Tree(Text("start"), data=None, id="turn-tree")
            tree.show_root = False
            yield tree
            yield Label(Text("● " + _("the branch on screen · enter: show that message's branch · v: its answers side by side · esc: close")), id="tree-note")

    def on_mount(self) -> None:
        conv = self.conversation
        tree = self.query_one(Tree)
        on_path = {t.id for t in conv.turns}
        has_children = {t.parent for t in conv.all_turns}
        nodes = {}
        # parents come before children in creation order; an orphan hangs from the root
        for turn in conv.all_turns:
            holder = nodes.get(turn.parent, tree.root)
            label = self._label(turn, turn.id in on_path)
            if turn.id in has_children:
                nodes[turn.id] = holder.add(label, data=turn.id, expand=True)
            else:
                nodes[turn.id] = holder.add_leaf(label, data=turn.id)
        tree.root.expand()
        tree.focus()
        if conv.turns and (leaf := nodes.get(conv.turns[-1].id)) is not None:
            self.call_after_refresh(tree.move_cursor, leaf)  # once the nodes are laid out

    @staticmethod
    def _label(turn: Turn, active: bool) -> Text:
        text = Text("● " if active else "  ", style="bold" if active else "dim")
        text.append(one_line(strip_controls(turn.user_text), 50), style="bold" if active else "")
        text.append(f"  → {strip_controls(turn.model)}: ", style="dim")
        text.append(one_line(strip_controls(turn.answer), 40) or f"({turn.status.label})", style="italic" if active else "dim italic")

        return text

    @on(Tree.NodeSelected)
    def _chosen(self, event: Tree.NodeSelected) -> None:
        if event.node.data:
            self.dismiss((event.node.data, False))

    def action_side_by_side(self) -> None:
        """The highlighted answer and its siblings, in columns (a comparison reopened)."""
        node = self.query_one(Tree).cursor_node
        if node is not None and node.data:
            self.dismiss((node.data, True))
