"""Metadata of the real disclosures in ../shared/realdocs (not part of the repository).

Each file's department, year and kind as its own text names them. Only the metadata step
runs (loader, layout preparation, read_metadata): loading the PDFs takes about a minute,
a full ingest with embeddings more than three. Skipped when the folder is absent (a fresh
clone); $QA_REALDOCS points elsewhere.
"""

from __future__ import annotations

import pytest

from qa.text.orgnames import is_org_name
from qa.testing.realdocs import default_folder, file_metadata, folder_metadata

FOLDER = default_folder()

pytestmark = pytest.mark.skipif(
    not FOLDER.is_dir(),
    reason=f"real documents not available: {FOLDER} does not exist (they are kept outside the repository; "
           f"set QA_REALDOCS to their folder)")

# file -> (department, year, kind) as the file's text names them
EXPECTED = {
    "001.pdf": ("上海市普陀区财政局", 2024, "决算"),  # title broken over lines: "年度部门决算" / "2024"
    "002.pdf": ("上海市普陀区规划和自然资源局", 2024, "决算"),
    "003.pdf": ("中共上海市普陀区委社会工作部", 2024, "决算"),
    "004.pdf": ("上海市普陀区司法局", 2026, "预算"),  # 预算主管部门：…
    "005.pdf": ("上海市普陀区司法局", 2026, "预算"),  # 预算单位：…
    "008.pdf": ("上海市普陀区人民政府办公室", 2025, "预算"),
    "009.pdf": ("上海市普陀区人民政府办公室", 2025, "预算"),
    "013.pdf": ("上海市普陀区财政局", 2025, "预算"),
    "014.pdf": ("上海市普陀区社会福利院", 2024, "预算"),
    "016.pdf": ("江苏省人大常委会办公厅", 2019, "预算"),
    "017.pdf": ("江苏省人大常委会办公厅", 2019, "预算"),  # tables only: 部门： lines, year in a table title
    "018.pdf": ("江苏省人民检察院", 2019, "预算"),
    "021.pdf": ("江苏省政协办公厅", 2019, "预算"),  # no title page: the body is named in headings and text
    "022.pdf": ("江苏省政协办公厅", 2019, "预算"),
    "024.pdf": ("江苏省人大常委会办公厅", 2018, "预算"),
    "025.pdf": ("江苏省人民检察院", 2018, "预算"),
    "026.pdf": ("中共江苏省委办公厅", 2018, "预算"),  # printed as 江苏省委办公厅
    "027.pdf": ("中共江苏省委办公厅", 2018, "预算"),
    "028.pdf": ("江苏省政协办公厅", 2018, "预算"),
    "029.pdf": ("江苏省政协办公厅", 2018, "预算"),
    "030.pdf": ("江苏省高级人民法院", 2018, "预算"),  # "2018 年度江苏省高级" / "人民法院预算公开"
    "031.pdf": ("江苏省人民检察院", 2017, "预算"),  # "江苏省人民检察院" / "年部门预算" / "2017"
    "032.pdf": ("江苏省高级人民法院", 2017, "预算"),
    "033.html": ("重庆市交通委员会", 2018, "预算"),
    "034.xlsx": ("上海市普陀区司法局", 2026, "预算"),  # a reviewer's checklist of 004 (部门名称: …)
    "035.xlsx": ("上海市普陀区司法局", 2026, "预算"),
}
# Files in the folder that are not disclosures: they must not get a department.
NOT_DISCLOSURES: set[str] = set()
# A blank official template ("上海市普陀区XX单位"): its year and kind are printed, its body is not.
TEMPLATES = {"036.xls": (2026, "预算")}
# The folder's own notes, which ingest passes over when it walks the folder.
FOLDER_NOTES = {"README.md"}


@pytest.fixture(scope="module")
def metadata():
    return folder_metadata(FOLDER, workers=2)


def test_every_supported_file_is_expected(metadata):
    assert set(metadata) == set(EXPECTED) | NOT_DISCLOSURES | set(TEMPLATES)
    assert not [r for r in metadata.values() if "error" in r]
    assert not set(metadata) & FOLDER_NOTES and all((FOLDER / n).exists() for n in FOLDER_NOTES)


@pytest.mark.parametrize("name", sorted(TEMPLATES))
def test_templates_year_and_kind(metadata, name):
    got = metadata[name]
    assert (got["year"], got["kind"]) == TEMPLATES[name], got["meta_source"]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_department_year_kind(metadata, name):
    got = metadata[name]
    assert (got["department"], got["year"], got["kind"]) == EXPECTED[name], got["meta_source"]
    assert is_org_name(got["department"])
    assert got["sources"]["department"] in ("label", "title", "heading", "heading-once")
    assert got["confidence"] >= 0.75


def test_non_disclosures_get_no_department(metadata):
    for name in NOT_DISCLOSURES:
        assert metadata[name]["department"] == ""
        assert metadata[name]["confidence"] == 0.0


def test_split_narrative_and_tables_files_agree(metadata):
    """A narrative PDF and its tables companion name the same body and year."""
    for narrative, tables in (("016.pdf", "017.pdf"), ("021.pdf", "022.pdf"), ("026.pdf", "027.pdf"),
                              ("028.pdf", "029.pdf")):
        a, b = metadata[narrative], metadata[tables]
        assert (a["department"], a["year"]) == (b["department"], b["year"])


@pytest.mark.parametrize("name", ["017.pdf", "033.html"])
def test_full_parse_records_the_same_metadata(metadata, name):
    """The metadata step is what ingest records in the Document."""
    from qa.ingest.loaders import load
    from qa.ingest.pipeline import parse_loaded

    doc = parse_loaded(load(FOLDER / name)).document
    got = metadata[name]
    assert (doc.department, doc.year, doc.kind, doc.confidence, doc.meta_source) == (
        got["department"], got["year"], got["kind"], got["confidence"], got["meta_source"])
    assert file_metadata(FOLDER / name) == got
