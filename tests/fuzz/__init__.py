"""`nox -s fuzz`: the Schemathesis CLI against a running service (see run.py)."""
