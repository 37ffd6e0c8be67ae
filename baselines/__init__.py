"""Methods to compare against (training-free baselines, STM), registered as plugins."""
