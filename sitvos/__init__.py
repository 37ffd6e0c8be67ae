"""SITVOS: Siamese network with interactive transformer for VOS (AAAI 2022). See issue 5."""
