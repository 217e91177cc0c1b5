"""How non-text items read: tool calls, hosted tools, citations, refusals, commentary."""

from __future__ import annotations

from chatui import items
from chatui.items import NO_TOOLS


def message(text: str, phase: str | None = None, annotations=()) -> dict:
    item = {"type": "message", "role": "assistant", "content": [{"type": "output_text", "text": text, "annotations": list(annotations)}]}
    return {**item, "phase": phase} if phase else item


def test_a_function_call_names_the_tool_shows_pretty_arguments_and_says_nothing_runs():
    line = items.describe({"type": "function_call", "name": "get_weather", "arguments": '{"city":"Paris"}', "call_id": "c1"})
    assert line.title == 'tool call: get_weather({"city":"Paris"})'
    assert line.detail == '{\n  "city": "Paris"\n}' and line.note == NO_TOOLS


def test_hosted_tools_read_as_what_the_server_did():
    search = items.describe({"type": "web_search_call", "action": {"type": "search", "query": "textual", "sources": [{"url": "https://a.example"}]}})
    assert search.title == 'web search: "textual" · 1 source' and search.detail == "https://a.example" and not search.note
    code = items.describe({"type": "code_interpreter_call", "code": "\nprint(1)\n", "outputs": [{"type": "logs", "logs": "1"}]})
    assert code.title == "ran code: print(1)" and code.detail.endswith("# output\n1")
    files = items.describe({"type": "file_search_call", "queries": ["q"], "results": [{"filename": "a.pdf", "text": "x"}, {"filename": "b.pdf", "text": "y"}]})
    assert files.title == "file search: q · 2 results"
    image = items.describe({"type": "image_generation_call", "revised_prompt": "a cat", "result": "iVBOR"})
    assert image.title == "generated an image: a cat"
    mcp = items.describe({"type": "mcp_call", "server_label": "docs", "name": "find", "arguments": "{}", "output": "ok"})
    assert mcp.title == "MCP docs: find({})" and "# result\nok" in mcp.detail


def test_unknown_kinds_are_one_line_and_text_items_are_not_lines():
    assert items.describe({"type": "brand_new_call", "x": 1}).title.startswith("brand_new_call item")
    assert items.describe({"no": "type"}).title.startswith("unknown item")
    assert items.describe(message("hi")) is None and items.describe({"type": "reasoning", "summary": []}) is None
    assert items.describe({"type": "function_call_output", "output": "x"}) is None


def test_untrusted_text_in_items_stays_text():
    line = items.describe({"type": "function_call", "name": "x\x1b]52;c;AAAA\x07y", "arguments": "{}"})
    assert "\x1b" not in line.title and "\x07" not in line.title


def test_sources_are_numbered_once_each_and_only_web_links_are_links():
    anns = [
        {"type": "url_citation", "url": "https://a.example/", "title": "A"},
        {"type": "url_citation", "url": "https://a.example/", "title": "A again"},
        {"type": "url_citation", "url": "javascript:alert(1)", "title": "evil"},
        {"type": "file_citation", "file_id": "file_1", "filename": "notes.pdf"},
        {"type": "file_path", "file_id": "file_2"},
    ]
    cited = items.sources([message("text", annotations=anns)])
    assert [(s.number, s.title, s.url) for s in cited] == [(1, "A", "https://a.example/"), (2, "evil", ""), (3, "notes.pdf", "")]


def test_citation_markers_go_where_the_citations_end_numbered_like_the_sources():
    anns = [
        {"type": "url_citation", "url": "https://b.example/", "title": "B", "start_index": 12, "end_index": 17},
        {"type": "url_citation", "url": "https://a.example/", "title": "A", "start_index": 0, "end_index": 7},
        {"type": "url_citation", "url": "https://b.example/", "title": "B", "start_index": 22, "end_index": 31},
        {"type": "url_citation", "url": "https://c.example/", "title": "C", "end_index": 999},
    ]
    text = "Textual and HTTPX are well kept."
    said, shown = items.answer_view(text, [message(text, annotations=anns)])
    assert said == "" and shown == "Textual[2] and HTTPX[1] are well kept[1].[3]"
    assert [s.number for s in items.sources([message(text, annotations=anns)])] == [1, 2, 3]


def test_commentary_is_set_apart_and_a_refusal_is_recognised():
    out = [message("Let me look.", phase="commentary"), {"type": "function_call", "name": "f", "arguments": "{}"}, message("Done.", phase="final_answer")]
    assert items.answer_view("Let me look.\n\nDone.", out) == ("Let me look.", "Done.")
    before, after = items.around_text(out)
    assert [line.type for line in before] == ["function_call"] and after == []
    assert items.answer_view("plain", [message("plain")]) == ("", "plain")
    refusal = [{"type": "message", "content": [{"type": "refusal", "refusal": "No."}]}]
    assert items.refused(refusal) and not items.refused([message("yes")])


def test_as_text_lists_tool_lines_then_sources():
    out = [{"type": "function_call", "name": "f", "arguments": "{}"}, message("x", annotations=[{"type": "url_citation", "url": "https://a.example", "title": "A"}])]
    assert items.as_text(out) == f"[tool call: f({{}})] ({NO_TOOLS})\nSources:\n[1] A — https://a.example"
    assert items.as_text([message("x")]) == ""
