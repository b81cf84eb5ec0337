# DO NOT EDIT: generated from openapi/openapi.yaml by `nox -s generate`.
"""The contract: models and routers generated from openapi/openapi.yaml."""
