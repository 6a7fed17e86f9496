"""The reply: facts gathered by the rooms (`Answer`), composed text, the model's checked draft, the safety screen."""
