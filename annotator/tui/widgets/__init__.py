"""Widgets of the annotation screen: the article, the item panel, the speaker list, the status line."""
