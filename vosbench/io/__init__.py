"""File input and output: masks, atomic writes."""
