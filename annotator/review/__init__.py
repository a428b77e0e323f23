"""Review: comparing annotators' versions of a document and storing the adjudicated one (no Textual here)."""
