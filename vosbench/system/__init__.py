"""What the harness needs of the machine, neither harness nor plugin: devices and precision,
progress bars, worker processes, several processes under torchrun, and provenance (versions,
hardware, the commit)."""
