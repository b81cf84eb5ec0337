# DO NOT EDIT: generated from openapi/openapi.yaml by `nox -s generate`.
"""One module per OpenAPI tag: a Protocol to implement and a router factory."""
