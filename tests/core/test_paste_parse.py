"""Spreadsheet clipboard text: a corpus of what Excel, Sheets and LibreOffice write, and properties."""

from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st

from gui.core.paste import grid_width, parse_clipboard, quote_cell, to_clipboard

CORPUS = [
    # Excel on Windows: CRLF between rows and after the last one.
    ("excel_crlf", "Name\tEmail\tPhone\r\nAda Lovelace\tada@example.com\t020 7946 0958\r\n"
                   "Alan Turing\talan@example.com\t\r\n",
     [["Name", "Email", "Phone"], ["Ada Lovelace", "ada@example.com", "020 7946 0958"],
      ["Alan Turing", "alan@example.com", ""]]),
    # Excel: a cell with Alt+Enter line breaks (LF inside, CRLF between rows) is quoted.
    ("excel_multiline_cell", 'Ada\t"12 Main St\nFlat 3"\tLondon\r\nAlan\tBletchley Park\tMK3\r\n',
     [["Ada", "12 Main St\nFlat 3", "London"], ["Alan", "Bletchley Park", "MK3"]]),
    # Google Sheets: LF, no newline after the last row.
    ("sheets_lf", "Email\tLead_Status\na@x.io\tContacted\nb@x.io\tJunk Lead",
     [["Email", "Lead_Status"], ["a@x.io", "Contacted"], ["b@x.io", "Junk Lead"]]),
    # LibreOffice Calc: LF with a trailing LF; quotes doubled inside a quoted cell.
    ("libreoffice", 'x\t"He said ""hi""\nthen left"\ny\tz\n',
     [["x", 'He said "hi"\nthen left'], ["y", "z"]]),
    # Old Mac line ends.
    ("lone_cr", "a\tb\rc\td\r", [["a", "b"], ["c", "d"]]),
    ("bom", "\ufeffEmail\tCity\r\na@x.io\tParis\r\n", [["Email", "City"], ["a@x.io", "Paris"]]),
    ("trailing_empty_cells", "a\t\t\r\nb\t\t\r\n", [["a", "", ""], ["b", "", ""]]),
    ("one_empty_cell", "\r\n", [[""]]),
    ("empty_row_kept_in_middle", "a\r\n\r\nb\r\n", [["a"], [""], ["b"]]),
    ("second_trailing_newline_is_a_row", "a\n\n", [["a"], [""]]),
    ("nothing", "", []),
    ("only_bom", "\ufeff", []),
    ("ragged", "a\tb\tc\nd\n", [["a", "b", "c"], ["d"]]),
    ("quote_inside_unquoted_cell", '27" monitor\tO"Brien\r\n', [['27" monitor', 'O"Brien']]),
    ("quoted_then_text_is_literal", '"Big" deal\tx\r\n', [['"Big" deal', "x"]]),
    ("quoted_tab", '"a\tb"\tc\r\n', [["a\tb", "c"]]),
    ("quoted_crlf_inside", '"a\r\nb"\tc\r\n', [["a\r\nb", "c"]]),
    ("quoted_empty", '""\tx\r\n', [["", "x"]]),
    ("only_a_quote_char_cell", '""""\r\n', [['"']]),
    ("lone_quote", '"', [['"']]),
    ("lone_quote_cell", 'a\t"\tb\r\n', [["a", '"', "b"]]),
    ("unterminated_quote_rest_literal", 'a\t"abc\tdef\nghi\r\n', [["a", '"abc', "def"], ["ghi"]]),
    ("unterminated_after_escaped_quote", '"a""\tb', [['"a""', "b"]]),
    ("rtl", "\u200fمرحبا بالعالم\tשלום עולם\r\nعربي\t\u05d0\r\n",
     [["\u200fمرحبا بالعالم", "שלום עולם"], ["عربي", "\u05d0"]]),
    ("emoji", "👩\u200d👩\u200d👧\t🇩🇪 Berlin\r\n\"😀\n😀\"\tok\r\n",
     [["👩\u200d👩\u200d👧", "🇩🇪 Berlin"], ["😀\n😀", "ok"]]),
    ("bom_not_at_start_is_content", "a\t\ufeffb\r\n", [["a", "\ufeffb"]]),
]


@pytest.mark.parametrize("text, expected", [(t, e) for _, t, e in CORPUS], ids=[n for n, _, _ in CORPUS])
def test_corpus(text: str, expected: list[list[str]]) -> None:
    assert parse_clipboard(text) == expected


def test_one_megabyte_cells_plain_and_quoted() -> None:
    big = "x" * 1_000_000
    assert parse_clipboard(f"{big}\tb\r\n") == [[big, "b"]]
    tricky = "a\t" + '""' + "b\n" * 200_000
    assert parse_clipboard(f'"{tricky}"\tend\r\n') == [[tricky.replace('""', '"'), "end"]]
    assert parse_clipboard('"' + big) == [['"' + big]]
    assert parse_clipboard('"' + '""' * 300_000) == [['"' + '""' * 300_000]]


def test_grid_width_is_the_longest_row() -> None:
    assert grid_width(parse_clipboard("a\tb\tc\nd\n")) == 3
    assert grid_width([]) == 0


def test_to_clipboard_writes_like_excel() -> None:
    assert to_clipboard([["a", "b"], ["c", ""]]) == "a\tb\r\nc\t\r\n"
    assert to_clipboard([]) == ""
    assert quote_cell('say "hi"') == 'say "hi"'
    assert quote_cell('"quoted"') == '"""quoted"""'
    assert quote_cell("two\nlines") == '"two\nlines"'
    assert quote_cell("tab\there") == '"tab\there"'
    assert quote_cell("\ufeffbom") == '"\ufeffbom"'


def test_a_row_without_cells_comes_back_as_one_empty_cell() -> None:
    assert parse_clipboard(to_clipboard([["a"], []])) == [["a"], [""]]


# --------------------------------------------------------------------------------------------
# Properties

STRUCTURE = st.sampled_from(["\t", "\r", "\n", "\r\n", '"', '""', "\ufeff", "a", " ", "é", "😀", "ש"])
clip_text = st.one_of(st.text(), st.lists(STRUCTURE | st.text(max_size=3), max_size=40).map("".join))
cell_text = st.one_of(st.text(max_size=8), st.lists(STRUCTURE, max_size=8).map("".join))
grids = st.lists(st.lists(cell_text, min_size=1, max_size=5), max_size=6)


def _content(text: str) -> str:
    return "".join(ch for ch in text if ch not in '\t\r\n"')


@settings(max_examples=250, deadline=None)
@given(clip_text)
def test_never_crashes_and_never_loses_content(text: str) -> None:
    grid = parse_clipboard(text)
    assert all(row and all(isinstance(c, str) for c in row) for row in grid)
    source = text[1:] if text.startswith("\ufeff") else text
    assert _content("".join(c for row in grid for c in row)) == _content(source)
    assert (grid == []) == (source == "")


@settings(max_examples=150, deadline=None)
@given(clip_text)
def test_parsing_our_own_copy_gives_the_same_grid(text: str) -> None:
    grid = parse_clipboard(text)
    assert parse_clipboard(to_clipboard(grid)) == grid


@settings(max_examples=150, deadline=None)
@given(grids)
def test_round_trip(grid: list[list[str]]) -> None:
    assert parse_clipboard(to_clipboard(grid)) == grid


@settings(max_examples=100, deadline=None)
@given(st.lists(st.lists(st.text(alphabet=st.characters(blacklist_characters='\t\r\n"\ufeff'), max_size=6),
                         min_size=1, max_size=5), min_size=1, max_size=6))
def test_text_without_quotes_splits_exactly(grid: list[list[str]]) -> None:
    text = "\n".join("\t".join(row) for row in grid)
    # The one newline after the last row ends that row ("a\n" is one row, like Excel's copy).
    expected = grid[:-1] if len(grid) > 1 and grid[-1] == [""] else grid
    assert parse_clipboard(text) == (expected if text else [])
