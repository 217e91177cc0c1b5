"""The streaming block splitter."""

from hypothesis import given, settings
from hypothesis import strategies as st

from chatui.blocks import CODE_CHUNK, BlockSplitter, code_blocks, split_all
from chatui.demo.content import bulk_markdown, split_even


def kinds(blocks):
    return [(b.kind, b.joined) for b in blocks]


def test_paragraphs_fences_and_lists():
    doc = "# Title\nintro line\n\n```py\nx = 1\n\ny = 2\n```\n- a\n- b\n  - nested\n- c\n\nend"
    blocks = split_all(doc)
    assert [b.text for b in blocks] == ["# Title\nintro line", "x = 1\n\ny = 2", "- a", "- b\n  - nested", "- c", "end"]
    assert kinds(blocks) == [("md", False), ("code", False), ("md", False), ("md", True), ("md", True), ("md", False)]
    assert blocks[1].lang == "py" and blocks[1].closed_fence


def test_long_fence_is_chunked_and_joined_back():
    code = "\n".join(f"line {i}" for i in range(CODE_CHUNK * 2 + 5))
    doc = f"```python\n{code}\n```\n"
    blocks = split_all(doc)
    assert len(blocks) == 3 and [b.joined for b in blocks] == [False, True, True]
    assert code_blocks(doc) == [code]


def test_unclosed_fence_is_closed_at_the_end():
    blocks = split_all("text\n\n```\nprint(1)")
    assert blocks[-1].kind == "code" and blocks[-1].text == "print(1)"


def test_tail_shows_the_growing_block():
    s = BlockSplitter()
    s.feed("para one\n\npara t")
    assert [b.text for b in s.blocks] == ["para one"]
    assert s.tail().text == "para t"
    s.feed("wo\n```js\nlet a")
    tail = s.tail()
    assert tail.kind == "code" and tail.text == "let a" and tail.lang == "js"


def test_control_characters_never_enter():
    s = BlockSplitter()
    s.feed("a\x1b]52;c;aGk=\x07b\x1b[2J\n")
    s.close()
    assert "\x1b" not in s.text and "\x07" not in s.blocks[0].text


@settings(max_examples=60, deadline=None)
@given(pieces=st.integers(1, 3000))
def test_any_delta_split_gives_the_same_blocks(pieces):
    doc = bulk_markdown(6000)
    whole = split_all(doc)
    s = BlockSplitter()
    for d in split_even(doc, pieces):
        s.feed(d)
    s.close()
    assert s.blocks == whole and s.text == doc


def test_close_fences():
    from chatui.blocks import close_fences

    assert close_fences("a\n```py\nx") == "a\n```py\nx\n```"
    assert close_fences("a\n~~~~\nx\n~~~~") == "a\n~~~~\nx\n~~~~"
    assert close_fences("plain") == "plain"


def test_merge_code_chunks_restores_whole_fences():
    from chatui.blocks import merge_code_chunks

    code = "\n".join(f"x{i}" for i in range(CODE_CHUNK * 2 + 3))
    blocks = merge_code_chunks(split_all(f"intro\n\n```py\n{code}\n```\n\nafter"))
    assert [b.kind for b in blocks] == ["md", "code", "md"] and blocks[1].text == code and blocks[1].lang == "py"
