"""The `users` tag: your own account, and administration of all accounts."""
