"""Locustfiles the tests run in subprocesses, each folder-alone: Locust puts a locustfile's folder
first on the import path, where tests/support's own modules (contract.py) would shadow packages."""
