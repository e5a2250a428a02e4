"""Output: feed exporters (JSON, JSON Lines, CSV, TXT in the seed's layout) and the item_written
signal."""
