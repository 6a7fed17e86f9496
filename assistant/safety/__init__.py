"""What goes in and out of a turn: the incoming message is cleaned (`guard.py`), contact details are
redacted from logs (`redact.py`), and every reply passes the screen before it is sent (`screen.py`)."""
