"""The hand-written service that implements the generated contract (`contract`)."""
