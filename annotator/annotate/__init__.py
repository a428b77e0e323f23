"""Annotating: one annotator walking a dataset's documents and deciding on items (no Textual here)."""
