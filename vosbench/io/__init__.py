"""File input and output: masks, images, JSON-lines logs, atomic writes."""
