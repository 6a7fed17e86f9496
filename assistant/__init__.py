"""The assistant: one chat turn (`turn.py`) and the rooms it calls.

`deps.py` loads what a turn needs once; `understand/` decides what the shopper wants; `products/`,
`orders/` and `policies/` gather the facts and act; `reply/` words the answer; `safety/` screens what
goes in and out; `generation/` runs the chat model; `customers/` and `analytics/` know the shoppers and
measure the store.
"""
