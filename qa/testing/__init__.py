"""Metamorphic testing of ingest: variant renderings of documents and the harness that
checks a variant yields the same facts and answers as its original.

    python -m qa.testing.harness corpus/ [--kinds pdf,xlsx] [--out DIR] [--questions pdf,yuan]

prints fact agreement per variant (and, with --questions, answer agreement on doc 000);
--out keeps the generated PDF/DOCX/XLSX/HTML/text files, which `qa ingest` accepts.
"""
