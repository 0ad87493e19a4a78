"""Tables of the real disclosures in ../shared/realdocs (not part of the repository).

Every file ingests (loads and parses); per PDF at least 90 % of the table rows pdfplumber
sees become facts (qa.ingest.coverage), and a few facts checked by eye against the pages
are read with the right label, code and value. The files are loaded once, shared with
test_realdocs_meta (qa.testing.realdocs.folder_reports). Skipped when the folder is
absent (a fresh clone); $QA_REALDOCS points elsewhere.
"""

from __future__ import annotations

import pytest

from qa.testing.realdocs import default_folder, folder_reports

FOLDER = default_folder()

pytestmark = pytest.mark.skipif(
    not FOLDER.is_dir(),
    reason=f"real documents not available: {FOLDER} does not exist (they are kept outside the repository; "
           f"set QA_REALDOCS to their folder)")

PDFS_WITH_TABLES = ["001.pdf", "002.pdf", "003.pdf", "004.pdf", "005.pdf", "008.pdf", "009.pdf", "013.pdf",
                    "014.pdf", "017.pdf", "018.pdf", "022.pdf", "024.pdf", "025.pdf", "027.pdf", "029.pdf",
                    "030.pdf", "031.pdf", "032.pdf"]
# narrative PDFs: pdfplumber finds no ruled table in them
PDFS_WITHOUT_TABLES = ["016.pdf", "021.pdf", "026.pdf", "028.pdf"]

# (file, page, label, column, value, code or None), read off the pages by eye
FACTS = [
    # tables-only PDFs whose tables sit inside one frame with their caption (gave 0 facts)
    ("017.pdf", 1, "基本支出", "预算数", 9312.90, ""),       # 收支预算总表, 支出用途 block
    ("017.pdf", 1, "一般公共服务支出", "预算数", 13907.78, "201"),
    ("017.pdf", 3, "单位预留机动经费", "预算数", 2557.89, ""),  # 支出预算总表: items across, one row
    ("017.pdf", 6, "公务用车运行维护费", "预算数", 183.60, "30231"),
    ("017.pdf", 9, "公务接待费", "预算数", 384.75, ""),
    ("017.pdf", 13, "综合管理费", "总计", 410.40, ""),        # 政府采购 continued on a page without header
    ("022.pdf", 3, "基本支出", "预算数", 6522.75, ""),
    ("029.pdf", 3, "合计", "预算数", 10150.48, ""),
    # side-by-side blocks of a 决算 table: 公用经费 items were read under 人员经费 labels
    ("001.pdf", 16, "办公费", "决算数", 21.21, "30201"),
    ("001.pdf", 16, "基本工资", "决算数", 262.33, "30101"),
    ("002.pdf", 17, "公务接待费", "决算数", 0.39, ""),         # 三公 items split in 预算数 / 决算数
    ("008.pdf", 20, "机关运行经费预算数", "预算数", 213.28, ""),
    # Word-2007 grids
    ("018.pdf", 14, "单位预留机动经费", "预算数", 3990.40, ""),
    ("018.pdf", 17, "工资福利支出", "预算数", 11960.62, "301"),
    ("018.pdf", 20, "公务接待费", "预算数", 101.26, ""),
    ("025.pdf", 13, "一般公共预算", "预算数", 21940.96, ""),   # amount on the sub-row below its label
    ("025.pdf", 14, "其他资金", "预算数", 14.39, ""),          # group name centred two rows down
    ("025.pdf", 19, "公务用车运行维护费", "预算数", 267.80, ""),  # "267.8" | "0" cut by a border
    ("025.pdf", 19, "公务用车购置费", "预算数", 0.0, ""),
    ("030.pdf", 10, "公共财政拨款(补助)资金", "预算数", 33172.15, ""),
    ("031.pdf", 16, "合计", "预算数", 1452.35, ""),            # title wrapped, quotes set lower
]

# (file, page, label, value) that must not be read: the amount belongs to another block
WRONG = [
    ("017.pdf", 1, "一般公共服务支出", 9312.90),
    ("018.pdf", 14, "国防支出", 3990.40),
    ("025.pdf", 13, "国防支出", 2388.04),
    ("001.pdf", 16, "基本工资", 21.21),
]


@pytest.fixture(scope="module")
def reports():
    return folder_reports(FOLDER, workers=2)


def test_every_file_ingests(reports):
    assert len(reports) >= 27
    assert not {n: r["error"] for n, r in reports.items() if "error" in r}


@pytest.mark.parametrize("name", PDFS_WITH_TABLES)
def test_nine_in_ten_table_rows_become_facts(reports, name):
    cov = reports[name]["coverage"]
    assert cov.rows_seen > 50
    missed = [" | ".join(r.cells) for r in cov.missed[:5]]
    assert cov.ratio >= 0.9, f"{cov.rows_covered}/{cov.rows_seen}: {missed}"
    assert cov.amount_ratio >= 0.9, missed


@pytest.mark.parametrize("name", PDFS_WITHOUT_TABLES)
def test_narrative_pdfs_have_no_ruled_tables(reports, name):
    assert reports[name]["coverage"].rows_seen == 0
    assert reports[name]["has_reader"]


@pytest.mark.parametrize("name,page,label,column,value,code", FACTS)
def test_fact_read_as_printed(reports, name, page, label, column, value, code):
    facts = reports[name]["facts"]
    hits = [f for f in facts if f[0] == page and f[3] == label and f[4] == column and abs(f[5] - value) < 0.005]
    assert hits, [f for f in facts if f[0] == page][:40]
    if code:
        assert any(f[2] == code for f in hits), hits


@pytest.mark.parametrize("name,page,label,value", WRONG)
def test_amount_not_read_under_another_blocks_label(reports, name, page, label, value):
    assert not [f for f in reports[name]["facts"] if f[0] == page and f[3] == label and abs(f[5] - value) < 0.005]


def test_the_tables_only_pdfs_give_their_twelve_tables(reports):
    for name in ("017.pdf", "022.pdf", "027.pdf", "029.pdf"):
        kinds = [k for _, _, k in reports[name]["tables"]]
        assert len(kinds) == 12, reports[name]["tables"]
        assert {"summary", "income", "expenditure", "fiscal_summary", "basic", "three", "fund",
                "procurement"} <= set(kinds)


def test_the_blank_template_reads_without_facts(reports):
    r = reports["036.xls"]
    assert r["has_reader"] and len(r["tables"]) >= 5
    assert r["coverage"].rows_seen == 0  # "XX" placeholders, no amounts
