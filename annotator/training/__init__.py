"""Model in the loop: train a spaCy pipeline from accepted gold and measure it against the rules."""
