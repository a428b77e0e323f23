"""Who said what across documents: canonical speaker names and aligned quotes (no Textual here)."""
