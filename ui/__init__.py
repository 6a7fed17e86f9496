"""Front ends, transport only: the `shopassist` command (`cli/`), the HTTP app (`app.py`: /v1, widget, Gradio page, staff dashboard). Every one calls `assistant.turn`."""
