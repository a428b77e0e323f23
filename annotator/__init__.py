"""annotator: label news articles for who said what, in the terminal."""

__version__ = "0.1.0"
