"""Ruled tables from PDFs, by hand: the grid shaping of the PDF loader, the table layouts
met in real disclosures (modelled on them, numbers made up), the coverage count, the .xls
reader and the folder walk. No real document is read here (see test_realdocs_tables)."""

from __future__ import annotations

import struct
from pathlib import Path

from qa.ingest.coverage import check_rows, measure
from qa.ingest.loaders import SeenTable, find_files, is_folder_note, load
from qa.ingest.loaders.grid import (align_to, attach_amounts, cell_text, compact, join_fragments,
                                    lift_group_labels, shape, split_caption)
from qa.ingest.parse import parse_document
from qa.types import Fact


# --------------------------------------------------------------------------- grid shaping


def test_wrapped_chinese_joins_without_a_space():
    assert cell_text("因公出国\n（境）费") == "因公出国（境）费"
    assert cell_text("江苏省第十三届 人代会\n二次会议经费") == "江苏省第十三届 人代会二次会议经费"
    assert cell_text("12.00\n8.00") == "12.00 8.00"
    assert cell_text(None) == ""


def test_caption_inside_the_frame_becomes_lines():
    rows = [["收支预算总表\n公开表一\n部门： 某某厅 单位：万元", None, None, None],
            ["收入", None, "支出", None],
            ["项目名称", "金额", "项目名称", "金额"]]
    caption, rest = split_caption(rows)
    assert caption == ["收支预算总表", "公开表一", "部门： 某某厅 单位：万元"]
    assert rest == rows[1:]
    # "部门： | 某某厅 | 单位：万元" in cells of their own, under an empty first row
    rows = [[None, None, None], ["部门：", "某某厅", "单位：万元"], ["合计", "基本支出", "项目支出"]]
    assert split_caption(rows)[0] == ["部门： 某某厅 单位：万元"]
    # a header row is not a caption
    assert split_caption([["项目", "金额"], ["合计", "1.00"]])[0] == []


def test_caption_lines_repeating_the_rows_below_are_dropped():
    rows = [["机关运行经费表\n部门： 某某厅 单位：万元\n科目编码 科目名称 金额\n合计 10.00", None, None],
            ["科目编码", "科目名称", "金额"], ["合计", None, "10.00"]]
    caption, _ = split_caption(rows)
    assert caption == ["机关运行经费表", "部门： 某某厅 单位：万元"]


def test_drifting_columns_of_a_word_grid_merge():
    rows = [["", "科目编码", "", "科目名称", "", "金额", ""],
            ["", "合计", "", "", "", "", "30.00"],
            ["301", "", "", "工资福利支出", "", "", "30.00"],
            ["30101", "", "", "基本工资", "", "20.00", ""],
            ["30102", "", "", "津贴补贴", "", "10.00", ""]]
    out, groups = compact(rows)
    assert out[0] == ["科目编码", "科目名称", "金额"]
    assert out[2] == ["301", "工资福利支出", "30.00"]
    assert out[3] == ["30101", "基本工资", "20.00"]
    assert groups == [[0, 1], [3], [5, 6]]


def test_named_amount_columns_and_distant_columns_stay_apart():
    rows = [["小计", "", "购置费"], ["", "运行费", ""], ["5.00", "", ""], ["", "", "2.00"]]
    out, _ = compact(rows)
    assert len(out[0]) == 3
    # two amount columns with a wide empty column between them (widths known) stay two
    rows = [["支出", "", "", "金额"], ["国防", "3.00", "", ""], ["合计", "", "", "9.00"]]
    assert len(compact(rows, widths=[60, 40, 70, 40])[0][0]) == 3
    assert len(compact(rows, widths=[60, 40, 5, 40])[0][0]) == 2


def test_wrapped_label_ends_rejoin_only_where_the_cell_was_full():
    rows = [["2.政府性基金预", "", "三、单位预留机动经", ""],
            ["", "三、国防支出", "", "5.00"],
            ["算", "", "费", ""]]
    out, kept = join_fragments(rows, lambda r, c: True)
    assert out[0] == ["2.政府性基金预算", "", "三、单位预留机动经费", ""]
    assert kept == [0, 1]
    # a short label under a cell that did not reach its right edge is a row of its own
    out, _ = join_fragments([["一般公共预算资金", "5.00"], ["小计", ""]], lambda r, c: False)
    assert len(out) == 2


def test_an_amount_on_a_sub_row_goes_to_its_label():
    rows = [["1.一般公共预算", "", "二、外交支出", "", "二、项目支出", ""],
            ["", "21.00", "", "", "", "5.00"],
            ["2.政府性基金预算", "", "", "", "三、单位预留机动经费", ""],
            ["", "", "三、国防支出", "", "", "3.00"],
            ["", "", "四、公共安全支出", "8.00", "", ""]]
    out = attach_amounts(rows)
    assert out[0] == ["1.一般公共预算", "21.00", "二、外交支出", "", "二、项目支出", "5.00"]
    assert out[1] == ["2.政府性基金预算", "", "", "", "三、单位预留机动经费", "3.00"]
    assert out[2] == ["", "", "三、国防支出", "", "", ""]
    assert out[3] == rows[4]


def test_a_group_name_centred_below_goes_to_its_subtotal():
    rows = [["", "小计", "7.00"], ["", "事业收入", ""], ["其他资金", "其他收入", "7.00"], ["", "小计", ""]]
    out = lift_group_labels(rows)
    assert out[0][0] == "其他资金" and out[2][0] == ""


def test_shape_puts_it_together():
    rows = [["支出预算总表\n部门： 某某厅 单位：万元", None, None, None, None],
            ["合计", None, "基本支出", None, "项目支出"],
            ["9.00", None, "6.00", None, "3.00"]]
    g = shape(rows)
    assert g.caption == ("支出预算总表", "部门： 某某厅 单位：万元")
    assert g.rows == (("合计", "基本支出", "项目支出"), ("9.00", "6.00", "3.00"))
    assert g.columns == ((0,), (2,), (4,))


def test_a_continued_table_lines_up_with_the_page_before():
    prev = [(40, 180), (180, 320), (320, 460), (460, 600)]
    assert align_to([(182, 318), (322, 458), (462, 598)], prev) == [1, 2, 3]
    assert align_to([(40, 600)], prev) is None


# --------------------------------------------------------------------------- parsing

JIANGSU = """\
收支预算总表
公开表一
部门： 某某省某某厅 单位：万元
收入\t\t支出\t\t\t
项目名称\t金额\t功能分类\t\t支出用途\t
\t\t功能科目名称\t金额\t项目名称\t金额
一、财政拨款\t150.00\t一、一般公共服务支出\t120.00\t一、基本支出\t100.00
1.一般公共预算\t150.00\t二、外交支出\t\t二、项目支出\t40.00
2.政府性基金预算\t\t三、国防支出\t\t三、单位预留机动经费\t10.00
\t\t八、社会保障和就业支出\t30.00\t\t
当年收入小计\t150.00\t当年支出小计\t\t\t150.00
收入合计\t150.00\t支出合计\t\t\t150.00
公开03表
支出预算总表
部门： 某某省某某厅 单位：万元
合计\t基本支出\t项目支出\t单位预留机动经费\t结转下年资金
150.00\t100.00\t40.00\t10.00\t
“三公”经费、会议费、培训费支出预算表
部门： 某某省某某厅 单位：万元
合计\t“三公”经费\t\t\t\t\t\t会议费\t培训费
\t小计\t因公出国（境）费\t公务用车购置及运行维护费\t\t\t公务接待费\t\t
\t\t\t小计\t公务用车购置费\t公务用车运行维护费\t\t\t
30.00\t12.00\t2.00\t6.00\t\t6.00\t4.00\t10.00\t8.00
2019年政府采购预算表
部门： 某某省某某厅 单位：万元
采购品目大类\t专项名称\t经济科目\t采购物品名称\t采购组织形式\t总计
合计\t\t\t\t\t20.00
一、货物A\t\t\t\t\t20.00
\t办公设备购置费\t办公设备购置\t\t\t20.00
\t\t\t台式计算机\t分散自行组织\t20.00
"""


def _facts(text: str, name: str = "t.pdf"):
    return parse_document(name, text).facts


def _find(facts, label, value):
    return [f for f in facts if f.label == label and abs(f.value - value) < 0.005]


def test_three_block_summary_reads_each_amount_under_its_own_block():
    facts = _facts(JIANGSU)
    assert _find(facts, "基本支出", 100.0) and _find(facts, "一般公共服务支出", 120.0)
    assert _find(facts, "单位预留机动经费", 10.0) and _find(facts, "当年支出小计", 150.0)
    assert not _find(facts, "一般公共服务支出", 100.0)
    assert not _find(facts, "国防支出", 10.0)


def test_items_across_one_row_of_amounts():
    facts = _facts(JIANGSU)
    t = [f for f in facts if f.table_title == "支出预算总表"]
    assert {(f.label, f.value) for f in t} == {("合计", 150.0), ("基本支出", 100.0), ("项目支出", 40.0),
                                              ("单位预留机动经费", 10.0)}
    assert all("合计\t基本支出" in f.quote for f in t)


def test_three_with_meetings_and_trainings():
    facts = [f for f in _facts(JIANGSU) if "三公" in f.table_title]
    got = {f.label: f.value for f in facts}
    assert got["合计"] == 30.0 and got["三公经费"] == 12.0 and got["公务接待费"] == 4.0
    assert got["会议费"] == 10.0 and got["培训费"] == 8.0 and got["公务用车运行维护费"] == 6.0


def test_procurement_words_columns_are_labels_not_values():
    facts = [f for f in _facts(JIANGSU) if "采购" in f.table_title]
    assert _find(facts, "合计", 20.0) and _find(facts, "货物", 20.0) and _find(facts, "台式计算机", 20.0)
    assert not [f for f in facts if f.label == "货物A"]  # the category's code letter is no part of its name
    assert {f.column for f in facts} == {"总计"}


def test_a_table_number_line_ends_the_table_above():
    facts = _facts(JIANGSU)
    assert not [f for f in facts if "公开" in f.label]


SIDE_BY_SIDE = """\
一般公共预算财政拨款基本支出决算表
单位：万元
经济分类\t\t科目名称\t决算数\t经济分类\t\t科目名称\t决算数
科目编码\t\t\t\t科目编码\t\t\t
类\t款\t\t\t类\t款\t\t
301\t\t工资福利支出\t30.00\t302\t\t商品和服务支出\t5.00
301\t01\t基本工资\t30.00\t302\t01\t办公费\t3.00
301\t02\t津贴补贴\t\t302\t02\t印刷费\t2.00
人员经费合计\t\t\t30.00\t公用经费合计\t\t\t5.00
"""


def test_side_by_side_blocks_keep_their_own_codes():
    facts = _facts(SIDE_BY_SIDE)
    got = {(f.code, f.label): f.value for f in facts}
    assert got[("30101", "基本工资")] == 30.0
    assert got[("30201", "办公费")] == 3.0 and got[("30202", "印刷费")] == 2.0
    assert got[("", "公用经费合计")] == 5.0
    assert not [f for f in facts if f.label == "基本工资" and f.value == 3.0]


def test_a_title_wrapped_before_its_last_characters():
    text = ("十一、一般公共预算“三公”经费、会议费、培训费支出预\n算表\n部门： 某某厅 单位：万元\n"
            "合计\t“三公”经费\t\t\t\t\t\t会议费\t培训费\n"
            "\t小计\t因公出国（境）费\t公务用车购置及运行维护费\t\t\t公务接待费\t\t\n"
            "\t\t\t小计\t公务用车购置费\t公务用车运行维护费\t\t\t\n"
            "30.00\t12.00\t2.00\t6.00\t\t6.00\t4.00\t10.00\t8.00\n")
    facts = _facts(text)
    assert facts and facts[0].table_title.endswith("支出预算表")
    assert _find(facts, "合计", 30.0)


# --------------------------------------------------------------------------- coverage


def _fact(label, value, page=1, code=""):
    return Fact(doc="d", department="", year=None, table_no="1", table_title="t", section="", code=code,
                label=label, column="预算数", value=value, unit="万元", norm_value=value, line=1, quote="",
                page=page)


def test_coverage_counts_an_amount_only_under_its_own_label():
    seen = [SeenTable("p1", (("收入", "", "支出", "", "用途", ""),
                             ("一、财政拨款", "150.00", "一、一般公共服务支出", "120.00", "一、基本支出", "100.00"),
                             ("1,000.00", "2.00", "", "", "", "")))]
    rows, n, hit = check_rows(seen, [_fact("财政拨款", 150.0), _fact("一般公共服务支出", 100.0), _fact("x", 1000.0)])
    assert n == 5 and hit == 2  # 100.00 read under the wrong label does not count
    assert [r.covered for r in rows] == [True, True]
    assert rows[0].unread == (120.0, 100.0)
    cov = measure("d", seen, [_fact("财政拨款", 150.0), _fact("基本支出", 100.0, page=2)])
    assert cov.rows_seen == 2 and cov.rows_covered == 1 and cov.ratio == 0.5  # wrong page: not covered


def test_codes_and_ordinals_are_not_amounts():
    seen = [SeenTable("p1", (("201", "06", "一般公共服务", "5.00"), ("1", "2", "3", "")))]
    rows, n, hit = check_rows(seen, [_fact("一般公共服务", 5.0, code="20106")])
    assert len(rows) == 1 and n == 1 and hit == 1


# --------------------------------------------------------------------------- .xls and folders


def _biff_record(rtype: int, payload: bytes) -> bytes:
    return struct.pack("<HH", rtype, len(payload)) + payload


def _ole(stream: bytes) -> bytes:
    """A compound file holding one stream "Workbook" (big enough to live in normal sectors)."""
    stream = stream + b"\0" * (4096 - len(stream)) if len(stream) < 4096 else stream
    n = -(-len(stream) // 512)
    header = bytearray(512)
    header[:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    struct.pack_into("<HHHH", header, 0x18, 0x3E, 3, 0xFFFE, 9)
    struct.pack_into("<H", header, 0x20, 6)
    struct.pack_into("<IIIIIIII", header, 0x2C, 1, 1, 0, 4096, 0xFFFFFFFE, 0, 0xFFFFFFFE, 0)
    difat = [0] + [0xFFFFFFFF] * 108
    struct.pack_into("<109I", header, 0x4C, *difat)
    fat = [0xFFFFFFFD, 0xFFFFFFFE] + [3 + k if k < n - 1 else 0xFFFFFFFE for k in range(n)]
    fat += [0xFFFFFFFF] * (128 - len(fat))
    fat_sector = struct.pack("<128I", *fat)

    def entry(name: str, kind: int, start: int, size: int) -> bytes:
        e = bytearray(128)
        raw = (name + "\0").encode("utf-16-le")
        e[:len(raw)] = raw
        struct.pack_into("<HBB", e, 64, len(raw), kind, 1)
        struct.pack_into("<III", e, 68, 0xFFFFFFFF, 0xFFFFFFFF, 1 if kind == 5 else 0xFFFFFFFF)
        struct.pack_into("<II", e, 116, start, size)
        return bytes(e)

    directory = entry("Root Entry", 5, 0xFFFFFFFE, 0) + entry("Workbook", 2, 2, len(stream))
    directory += b"\0" * (512 - len(directory))
    body = stream + b"\0" * (n * 512 - len(stream))
    return bytes(header) + fat_sector + directory + body


def _workbook() -> bytes:
    def bof(kind: int) -> bytes:
        return _biff_record(0x0809, struct.pack("<HHHHII", 0x0600, kind, 0, 0, 0, 0))

    strings = ["项目", "合计", "基本工资"]
    sst = struct.pack("<II", 3, 3) + b"".join(
        struct.pack("<HB", len(s), 1) + s.encode("utf-16-le") for s in strings)
    name = "表一".encode("utf-16-le")
    globals_ = bof(0x0005) + _biff_record(0x00FC, sst)
    boundsheet_len = 4 + 8 + len(name)
    offset = len(globals_) + boundsheet_len + 4  # BOUNDSHEET, then EOF, then the sheet's BOF
    globals_ += _biff_record(0x0085, struct.pack("<IBBBB", offset, 0, 0, 2, 1) + name)
    globals_ += _biff_record(0x000A, b"")
    assert len(globals_) == offset
    rk_int = (1234 << 2) | 2  # 1234 as an integer RK
    sheet = (bof(0x0010)
             + _biff_record(0x00FD, struct.pack("<HHHI", 0, 0, 0, 0))
             + _biff_record(0x00FD, struct.pack("<HHHI", 1, 0, 0, 1))
             + _biff_record(0x0203, struct.pack("<HHHd", 1, 1, 0, 3394.1))
             + _biff_record(0x00FD, struct.pack("<HHHI", 2, 0, 0, 2))
             + _biff_record(0x027E, struct.pack("<HHHI", 2, 1, 0, rk_int))
             + _biff_record(0x0204, struct.pack("<HHHHB", 3, 0, 0, 2, 0) + b"XX")
             + _biff_record(0x000A, b""))
    return _ole(globals_ + sheet)


def test_xls_workbook_is_read_without_xlrd(tmp_path):
    p = tmp_path / "template.xls"
    p.write_bytes(_workbook())
    loaded = load(p)
    assert loaded.text.splitlines() == ["项目", "合计\t3394.1", "基本工资\t1234", "XX"]
    assert loaded.locations == ["表一!A1", "表一!A2", "表一!A3", "表一!A4"]
    assert loaded.seen_tables and loaded.seen_tables[0].where == "表一"


def test_a_broken_xls_is_a_clear_error(tmp_path):
    import pytest

    from qa.ingest.loaders import LoadError

    p = tmp_path / "old.xls"
    p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    with pytest.raises(LoadError, match="save it as .xlsx"):
        load(p)


def test_folder_notes_are_passed_over_when_a_folder_is_walked(tmp_path: Path):
    (tmp_path / "README.md").write_text("# what is in this folder\n", encoding="utf-8")
    (tmp_path / "a.txt").write_text("部门预算\n", encoding="utf-8")
    found = find_files([tmp_path])
    assert [f.name for f in found.files] == ["a.txt"]
    assert [p.name for p, _ in found.skipped] == ["README.md"]
    assert [f.name for f in find_files([tmp_path / "README.md"]).files] == ["README.md"]
    assert is_folder_note(Path("LICENSE.txt")) and not is_folder_note(Path("readme_budget.pdf"))
