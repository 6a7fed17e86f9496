import pytest

from assistant.safety.guard import clean_message
from data.errors import BadInput


@pytest.mark.parametrize("text", ["", "   \n\t", None])
def test_empty_messages_are_refused_with_a_hint(text):
    with pytest.raises(BadInput) as error:
        clean_message(text, max_chars=100)
    assert "empty" in error.value.message and error.value.hint


def test_a_100_kb_message_is_refused_with_its_size():
    with pytest.raises(BadInput) as error:
        clean_message("a" * 100_000, max_chars=2000)
    assert "100,000" in error.value.message and "shorten" in error.value.hint


def test_control_characters_are_dropped_but_text_kept():
    assert clean_message("  where\x00 is my\u200b order?\n", max_chars=100) == "where is my order?"
