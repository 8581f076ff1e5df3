"""Search: finding stories by their words, and writers, tags and publications by name."""
