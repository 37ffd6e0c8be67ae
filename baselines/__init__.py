"""Training-free baseline methods, registered as vosbench plugins like any user's method."""
