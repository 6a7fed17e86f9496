"""The 31-label intent taxonomy analytics and the dashboard count turns by (Bitext's 27 customer-service intents
plus product_search, greeting, goodbye and out_of_scope). Understanding says what a turn wants as commands;
`understand.intent_of` files each turn under one of these labels.
"""

INTENTS: dict[str, str] = {
    "cancel_order": "cancel an order",
    "change_order": "change items in an order",
    "change_shipping_address": "change the delivery address of an order",
    "check_cancellation_fee": "ask about the cancellation fee",
    "check_invoice": "look at an invoice",
    "check_payment_methods": "ask which payment methods are accepted",
    "check_refund_policy": "ask about the refund policy",
    "complaint": "complain about a product or the service",
    "contact_customer_service": "reach customer service",
    "contact_human_agent": "talk to a human agent",
    "create_account": "open an account",
    "delete_account": "close or delete an account",
    "delivery_options": "ask about shipping options",
    "delivery_period": "ask how long delivery takes",
    "edit_account": "change account details",
    "get_invoice": "get an invoice",
    "get_refund": "get money back",
    "newsletter_subscription": "subscribe to or leave the newsletter",
    "payment_issue": "report a payment problem",
    "place_order": "buy or order something",
    "recover_password": "reset a forgotten password",
    "registration_problems": "report a sign-up problem",
    "review": "leave feedback or a review",
    "set_up_shipping_address": "add a shipping address",
    "switch_account": "switch to another account",
    "track_order": "ask where an order is",
    "track_refund": "ask about the status of a refund",
    "product_search": "find, compare or get recommendations for products",
    "greeting": "say hello",
    "goodbye": "say goodbye or thanks",
    "out_of_scope": "anything a store assistant does not handle",
}
OUT_OF_SCOPE = "out_of_scope"
SHOPPING_INTENTS = frozenset({"product_search", "place_order"})
