"""Question answering over Chinese public budget disclosures."""

__version__ = "0.1.0"
