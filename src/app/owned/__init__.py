"""Rows a user owns and every update versions (items, posts): what their code shares."""
