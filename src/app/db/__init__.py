"""Storage: the engine, the schema's metadata and its migrations."""
