"""The module `SCHEMATHESIS_HOOKS` names for the CLI: importing it registers the checks and hooks
of tests/support/meaning.py, the same ones the in-process suite registers."""

from tests.support import meaning

meaning.register()
