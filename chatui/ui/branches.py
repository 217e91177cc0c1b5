"""The app's branch and compare commands (a mixin of ChatApp: the rules are the session's)."""

from __future__ import annotations

from typing import Any

from textual import work

from chatui.conversation import Turn
from chatui.session import Refused
from chatui.ui.messages import BranchRequested


class BranchCommands:
    """/retry, /edit, /compare, /tree and the branch keys on focused messages."""

    session: Any
    view: Any
    prompt: Any
    refresh_chips: Any

    def _compare(self, turns: list[Turn]) -> None:
        self.view.show_path(self.session.conversation.turns[:-1])
        self.turn_worker = self.view.add_compare(turns).stream(self.session)
        self.refresh_header()

    def cmd_retry(self, arg: str) -> None:
        """Answer the last prompt again (to another model with /retry MODEL); the old answer stays as a branch."""
        self._stream(self.session.retry(arg))

    def cmd_edit(self, arg: str) -> None:
        """Put message N (default: the last) into the prompt; sending it starts a branch."""
        text, note = self.session.edit(arg)
        self.prompt.set_text(text)
        self.refresh_chips()  # the edited message's files come back as chips
        self.notify(note, markup=False)
        self.prompt.focus()

    def on_branch_requested(self, event: BranchRequested) -> None:
        """A key on a focused message: another branch, answer again, edit, or pick a compare column."""
        turn = self._turn(event.turn_id)
        if turn is None:
            return
        try:
            if event.action == "retry":
                self._stream(self.session.retry("", turn))
                return
            if event.action == "edit":
                self.cmd_edit(str(self.session.number_of(turn)))
                return
            if event.action == "stop":
                self.session.stop_one(turn)
                return
            if event.action == "side":
                self._side_by_side(turn.id)
                return
            if event.action == "pick":
                self._tree_chosen(turn.id, focus_answer=False)  # the next thing to do is type
                return
            shown = self.session.switch_branch(turn, event.step)
        except Refused as refused:
            self._notice(refused)
            return
        self._show_focused(shown.id)

    def cmd_compare(self, arg: str) -> None:
        """Compare models: each prompt to all of them, side by side (alone: which, and the picker to change them)."""
        self._note(self.session.set_compare(arg))
        if not arg.strip():
            self._pick_compare()

    @work(group="models", exclusive=True, exit_on_error=False)
    async def _pick_compare(self) -> None:
        from chatui.ui.screens.model_picker import ComparePicker

        models, _, note = await self.session.models_for_picker()
        chosen = await self.push_screen_wait(ComparePicker(models, self.session.compare_models, note, await self.session.catalogue_now()))
        if chosen:
            self.run_command("/compare " + " ".join(chosen))

    def cmd_tree(self, arg: str) -> None:
        """Every branch; choosing a message shows its branch."""
        from chatui.ui.screens.tree import TreeScreen

        self.push_screen(TreeScreen(self.session.conversation), self._tree_result)

    def _tree_result(self, result: tuple[str, bool] | None) -> None:
        if result:
            turn_id, side = result
            self._side_by_side(turn_id) if side else self._tree_chosen(turn_id)

    def _side_by_side(self, turn_id: str) -> None:
        """The answers to one message in columns again (a comparison reopened); picking one continues from it."""
        try:
            turns = self.session.side_by_side(turn_id)
        except Refused as refused:
            self._notice(refused)
            return
        path = self.session.conversation.turns  # through turn_id, then on down its latest continuation
        at = [t.id for t in path].index(turn_id)
        self.view.load(path[:at])
        row = self.view.add_compare(turns, done=True)
        self.view.append_turns(path[at + 1:])
        self.refresh_header()
        column = row.columns[[t.id for t in turns].index(turn_id)]
        self.call_after_refresh(self._look_at, row, column)

    def _look_at(self, row: Any, column: Any) -> None:
        """Bring a reopened comparison into view (not the end of the branch below it) and focus a column."""
        self.view.pinned = False
        self.view.scroll_to_widget(row, animate=False, top=True)
        column.focus(scroll_visible=False)

    def _tree_chosen(self, turn_id: str | None, focus_answer: bool = True) -> None:
        if turn_id and self._try(self.session.switch_to, turn_id):
            if focus_answer:
                self._show_focused(turn_id)
            else:
                self._show_conversation()  # focuses the prompt

    def _show_focused(self, turn_id: str) -> None:
        """Show the conversation's branch with ``turn_id``'s answer focused."""
        self._show_conversation()
        self.call_after_refresh(lambda: (widget := self.view.assistant.get(turn_id)) and widget.focus())
