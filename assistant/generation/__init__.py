"""The chat model and how it produces text: loading (`model.py`), the streaming generator behind one
interface (`generator.py`), our continuous-batching engine (`engine.py`, `engine_model.py`) and the
remote OpenAI-compatible backend (`remote.py`)."""
