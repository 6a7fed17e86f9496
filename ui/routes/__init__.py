"""Thin HTTP routers; the work happens in `assistant.turn` and the `assistant` package."""
