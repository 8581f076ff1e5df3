"""Lists: a reader's reading list and the named lists they keep, private or public."""
