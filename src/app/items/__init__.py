"""The `items` tag: priced things users offer; public to read, owner-only to change."""
