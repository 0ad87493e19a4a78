"""Storage: SQLite records, Chroma vectors and BM25, behind `qa.store.index.Index`."""

from qa.store.index import Index

__all__ = ["Index"]
