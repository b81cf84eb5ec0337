"""What only SQLite needs: reads on the event loop, one writer thread, pragmas, readiness."""
