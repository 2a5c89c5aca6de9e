"""The Markdown subset: what parses as structure, and that everything else stays text."""

from tymdocs.markup import parse_blocks
from tymdocs.model import Heading, LineBreak, ListBlock, Paragraph, Span, Table, inline_text


def test_paragraph_lines_join_and_whitespace_folds() -> None:
    (block,) = parse_blocks("Sopijaosapuolet ovat\nLäntisen   Pirkanmaan\ttyöllisyysalue.  ")
    assert isinstance(block, Paragraph)
    assert inline_text(block.content) == "Sopijaosapuolet ovat Läntisen Pirkanmaan työllisyysalue."


def test_headings_keep_level_and_line_numbers() -> None:
    blocks = parse_blocks("\n## Voimassaolo\n\nTämä sopimus tulee voimaan.", first_line=10)
    assert blocks[0] == Heading(2, (Span("Voimassaolo"),))
    assert [b.line for b in blocks] == [11, 13]


def test_ordered_list_keeps_the_parties_own_markers() -> None:
    (block,) = parse_blocks("1) 25 artiklassa;\n2) 32 artiklassa\njatkuu;\n\n5) viides")
    assert isinstance(block, ListBlock)
    assert [item.marker for item in block.items] == ["1)", "2)", "5)"]
    assert inline_text(block.items[1].content) == "32 artiklassa jatkuu;"


def test_a_change_of_list_style_starts_a_new_list() -> None:
    blocks = parse_blocks("1. yksi\n2) kaksi\n- kolme")
    assert [[i.marker for i in b.items] for b in blocks if isinstance(b, ListBlock)] == [
        ["1."],
        ["2)"],
        [None],
    ]


def test_a_wrapped_line_starting_with_a_number_stays_prose() -> None:
    (block,) = parse_blocks("Laki tuli voimaan vuonna\n2025. Se koskee kaikkia.")
    assert isinstance(block, Paragraph)


def test_bullets_separated_by_blank_lines_are_one_list() -> None:
    blocks = parse_blocks("Johdanto\n\n- yksi\n\n- kaksi\n\nLoppu")
    assert [type(b).__name__ for b in blocks] == ["Paragraph", "ListBlock", "Paragraph"]
    assert len(blocks[1].items) == 2  # type: ignore[union-attr]


def test_backslash_at_line_end_is_a_line_break() -> None:
    (block,) = parse_blocks("KEHA-keskus\\\nPL 1000, 50101 Mikkeli")
    assert isinstance(block, Paragraph)
    assert block.content == (Span("KEHA-keskus"), LineBreak(), Span("PL 1000, 50101 Mikkeli"))


def test_emphasis_and_strong() -> None:
    (block,) = parse_blocks("on *tärkeä* ja **sitova**")
    assert block.content == (  # type: ignore[union-attr]
        Span("on "),
        Span("tärkeä", emphasis=True),
        Span(" ja "),
        Span("sitova", strong=True),
    )


def test_unpaired_and_spaced_asterisks_are_text() -> None:
    (block,) = parse_blocks("2 * 3 * 4 ja *auki ja \\*ei\\*")
    assert block.content == (Span("2 * 3 * 4 ja *auki ja *ei*"),)  # type: ignore[union-attr]


def test_html_links_code_entities_and_typst_syntax_are_text() -> None:
    source = '<b>lihava</b> [linkki](https://x) ![kuva](k.png) <https://x> #read("/etc/passwd")'
    source += " $x$ @ref `koodi` &amp; &#35;"
    (block,) = parse_blocks(source)
    assert inline_text(block.content) == source  # type: ignore[union-attr]


def test_a_link_definition_is_text_not_dropped() -> None:
    (block,) = parse_blocks("[1]: https://finlex.fi/fi/laki/alkup/2023/20230381")
    assert inline_text(block.content) == "[1]: https://finlex.fi/fi/laki/alkup/2023/20230381"  # type: ignore[union-attr]


def test_sub_items_indented_two_or_four_spaces_are_nested_not_flat_or_merged() -> None:
    for indent in ("  ", "    "):
        (block,) = parse_blocks(f"- Kela\n{indent}- työkykyneuvoja\n{indent}- koordinaattori\n- TE")
        assert isinstance(block, ListBlock)
        assert [inline_text(item.content) for item in block.items] == ["Kela", "TE"]
        (nested,) = block.items[0].children
        assert isinstance(nested, ListBlock)
        assert [inline_text(i.content) for i in nested.items] == [
            "työkykyneuvoja",
            "koordinaattori",
        ]
        assert [i.line for i in nested.items] == [2, 3]


def test_a_table_is_a_table_with_alignment_and_lines() -> None:
    source = "Jako:\n\n| Osapuoli | Osuus |\n|:--|--:|\n| Kela | 0,5 |\n| TE | 1,25 |\n"
    blocks = parse_blocks(source, first_line=20)
    table = blocks[1]
    assert isinstance(table, Table)
    assert [inline_text(cell) for cell in table.header] == ["Osapuoli", "Osuus"]
    assert [[inline_text(c) for c in row.cells] for row in table.rows] == [
        ["Kela", "0,5"],
        ["TE", "1,25"],
    ]
    assert table.align == ("left", "right")
    assert (table.line, [row.line for row in table.rows]) == (22, [24, 25])
