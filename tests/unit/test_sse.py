"""Frame decoding: the quirks real servers send."""

import pytest

from chatui.sse import FrameDecoder, FrameTooLarge


def decode(*chunks: str) -> tuple[list[tuple[str, str]], FrameDecoder]:
    d = FrameDecoder()
    frames = []
    for c in chunks:
        frames += d.feed(c)
    frames += d.close()
    # httpx-sse names an event with no event: line "message"
    return [("" if f.event == "message" else f.event, f.data) for f in frames], d


def test_basic_event_and_data():
    frames, _ = decode("event: a\ndata: {\"x\":1}\n\n")
    assert frames == [("a", '{"x":1}')]


def test_final_event_without_blank_line_is_kept():
    frames, _ = decode("data: one\n\ndata: two\n")
    assert frames == [("", "one"), ("", "two")]


def test_leading_bom_does_not_eat_first_event():
    frames, _ = decode("\ufeffevent: a\ndata: 1\n\n")
    assert frames == [("a", "1")]


def test_bom_alone_in_first_chunk():
    frames, _ = decode("\ufeff", "data: 1\n\n")
    assert frames == [("", "1")]


def test_crlf_and_cr_line_endings_and_split_chunks():
    frames, _ = decode("data: a\r", "\ndata: b\r\n\r\ndata: c\r\r")
    assert frames == [("", "a\nb"), ("", "c")]


def test_comments_are_counted_not_emitted():
    frames, d = decode(": ping\n\n: OPENROUTER PROCESSING\n\ndata: x\n\n")
    assert frames == [("", "x")]
    assert d.stats.comments == 2


def test_llama_cpp_error_field_becomes_error_frame():
    frames, _ = decode('error: {"code":400,"message":"too long"}\n\ndata: [DONE]\n\n')
    assert frames[0] == ("error", '{"code":400,"message":"too long"}')
    assert frames[1] == ("", "[DONE]")


def test_raw_json_line_without_field_name():
    frames, _ = decode('{"error":{"message":"bad"}}\n')
    assert frames == [("", '{"error":{"message":"bad"}}')]


def test_unicode_line_separators_do_not_split():
    frames, _ = decode('data: {"d":"a\u2028b\u0085c"}\n\n')
    assert frames == [("", '{"d":"a\u2028b\u0085c"}')]


def test_megabyte_line_is_fine_but_cap_applies():
    big = "x" * 1_000_000
    frames, _ = decode(f"data: {big}\n\n")
    assert frames[0][1] == big
    d = FrameDecoder(max_event=1000)
    with pytest.raises(FrameTooLarge):
        d.feed("data: " + "y" * 2000 + "\n")
