"""Qt item models adapting app-layer data for views (no business logic here)."""
