"""What a streaming turn tells a front end: typed updates, in arrival order."""

from __future__ import annotations

from dataclasses import dataclass

from chatui.turn import ANSWER, ANSWER_RESET, REASONING, REASONING_RESET


@dataclass(frozen=True, slots=True)
class AnswerDelta:
    """More answer text."""

    text: str


@dataclass(frozen=True, slots=True)
class ReasoningDelta:
    """More reasoning text (summaries or raw reasoning)."""

    text: str


@dataclass(frozen=True, slots=True)
class AnswerReplaced:
    """The whole answer so far: the server's final text differed from the deltas."""

    text: str


@dataclass(frozen=True, slots=True)
class ReasoningReplaced:
    """The whole reasoning so far, replacing what streamed."""

    text: str


Update = AnswerDelta | ReasoningDelta | AnswerReplaced | ReasoningReplaced

# the accumulator's channels, each to its update type
BY_CHANNEL: dict[str, type[Update]] = {
    ANSWER: AnswerDelta,
    REASONING: ReasoningDelta,
    ANSWER_RESET: AnswerReplaced,
    REASONING_RESET: ReasoningReplaced,
}
