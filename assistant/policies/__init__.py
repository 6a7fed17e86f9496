"""Store policy answers: the sentence of the store's own policy documents that answers a question.

    index = PolicyIndex.build(policies, embedder)
    index.answer("how long do refunds take?")  # -> PolicyAnswer(passages=(Passage("refunds", "Refunds go back ..."),), ...)
"""

from assistant.policies.passages import INTERNAL_POLICIES, TOPIC_FOR_INTENT, Passage, PolicyAnswer, PolicyIndex, split_passages

__all__ = ["INTERNAL_POLICIES", "TOPIC_FOR_INTENT", "Passage", "PolicyAnswer", "PolicyIndex", "split_passages"]
