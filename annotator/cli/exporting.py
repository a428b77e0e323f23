"""Commands added by later issues."""
