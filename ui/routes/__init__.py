"""Thin HTTP routers; the work happens in `ui.service` and the `assistant` package."""
