"""Screens: annotation, help, pickers and confirmation dialogs."""
