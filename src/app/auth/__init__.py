"""The `auth` tag: registration, password login, refresh-token rotation and logout."""
