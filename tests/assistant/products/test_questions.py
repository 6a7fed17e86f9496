"""Questions about the cards shown are answered from the catalog's own words, never with a new search."""

from __future__ import annotations

from assistant.commands import AskShown
from assistant.products.questions import answer_question
from data.schema import Product

HEADPHONES = Product("H1", "Sonora Aura Over-ear Headphones", "The Sonora Aura is a pair of over-ear headphones. It comes "
                     "with active noise cancellation and a built-in microphone for calls. Made in navy.",
                     category="headphones", brand="Sonora", price=129.0, rating=4.4, stock=40,
                     tags=("headphones", "over-ear headphones", "navy", "noise cancellation"))
EARBUDS = Product("H2", "Wavely Sport Earbuds", "Sweat-resistant wireless earbuds for the gym with a secure fit.",
                  category="headphones", brand="Wavely", price=39.0, rating=4.7, stock=0,
                  tags=("headphones", "sports earbuds", "black", "sweat-resistant ipx5 rating"))
CARDS = [HEADPHONES, EARBUDS]


def test_a_feature_the_description_states_is_affirmed_with_its_words():
    answer = answer_question(AskShown(about=("attribute",), refs=(1,), attributes=("microphone",)), CARDS, None)
    assert answer.text.startswith("Yes") and "built-in microphone for calls" in answer.text
    assert answer.context == {"focus": "H1"}


def test_a_feature_it_does_not_state_is_not_claimed():
    answer = answer_question(AskShown(about=("attribute",), refs=(2,), attributes=("noise cancelling",)), CARDS, None)
    assert "doesn't mention noise cancelling" in answer.text and "Wavely Sport Earbuds" in answer.text


def test_it_means_the_card_the_last_question_was_about():
    answer = answer_question(AskShown(about=("stock",)), CARDS, focus="H2")
    assert "Wavely Sport Earbuds is out of stock" in answer.text


def test_two_questions_about_the_third_card_get_both_answers():
    answer = answer_question(AskShown(about=("stock", "price"), refs=(-1,)), CARDS, None)
    assert "out of stock" in answer.text and "$39.00" in answer.text


def test_compare_names_both_with_price_rating_and_stock_and_says_which_is_cheaper():
    text = answer_question(AskShown(about=("compare",), refs=(1, 2)), CARDS, None).text
    assert "Sonora Aura Over-ear Headphones" in text and "Wavely Sport Earbuds" in text
    assert "$129.00" in text and "rated 4.7/5" in text and "The cheaper one is the Wavely Sport Earbuds" in text


def test_best_rated_and_cheapest_look_at_every_card():
    assert "Wavely Sport Earbuds" in answer_question(AskShown(about=("best_rated",)), CARDS, None).text
    assert "cheapest of those is the Wavely" in answer_question(AskShown(about=("cheapest",)), CARDS, None).text


def test_a_question_with_nothing_shown_says_so():
    answer = answer_question(AskShown(about=("price",), refs=(1,)), [], None)
    assert "haven't shown you any products" in answer.text and not answer.hits
