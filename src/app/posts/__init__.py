"""The `posts` tag: articles with unique slugs, drafts and publishing."""
