"""Pictures a person would rather see than read: mask overlays and contact sheets."""
