"""Quote location on the real corpus: citations point at the line where a quote starts."""

from pathlib import Path

from qa.quotes import find_quote, quote_start_line

CORPUS = Path(__file__).resolve().parent.parent / "corpus"


def _lines(name: str) -> list[str]:
    return (CORPUS / name).read_text(encoding="utf-8").splitlines()


def test_sentence_wrapped_over_lines_starts_before_its_value_line():
    lines = _lines("000_553322b9b830cfa0.txt")
    quote = "昌吉回族自治州住房公积金管理中心 2024 年支出预算 3,459.79 万元，其中：基本支出 2,440.10 万元，占 70.53%"
    value_line = next(i for i, t in enumerate(lines, 1) if "基本支出 2,440.10 万元，占 70.53%" in t)
    start = quote_start_line(lines, quote, value_line)
    assert start < value_line
    assert "2024 年支出预算 3,459.79" in lines[start - 1]


def test_segments_cover_every_line_of_the_quote_and_ignore_width_and_spaces():
    lines = ["甲", "收入总计３，４５９．７９万元，", "", "其中：一般公共预算 3,394.10 万元"]
    segs = find_quote(lines, "收入总计 3,459.79 万元，其中：一般公共预算3,394.10万元", 4)
    assert [s[0] for s in segs] == [2, 4]


def test_missing_quote_keeps_the_cited_line():
    lines = _lines("003_eae6f4940a625f14.txt")
    assert find_quote(lines, "这句话不在文件里", 10) is None
    assert quote_start_line(lines, "这句话不在文件里", 10) == 10
