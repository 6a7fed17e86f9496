"""The grammar that constrains the chat model's decoding to the command language and to this store's names.

    lark = command_grammar(StoreNames.of(catalog.values(), topics=("returns", "shipping")))

A product type can only be written with its own category after it (`type="trail runners" cat=shoes`), a
brand, category or policy topic only as one the store has, a number only as a number: a value the store does
not have cannot be generated. Slots come in the language's one order (`command_text.SPEC`), so the grammar is
a short chain per command and the decoder often has a single way on (those tokens are forced, not sampled).
Free text (words, attributes, item words, an address) is a quoted string of at most 80 characters.
"""

from __future__ import annotations

import json

from assistant.understand.command_text import CHOICES, SPEC, quote
from assistant.understand.validate import StoreNames

MAX_COMMANDS = 3  # one message rarely holds more; the bound keeps a looping model from writing forever


def _literal(text: str) -> str:
    return json.dumps(text)


def _alternatives(values) -> str:
    return " | ".join(_literal(v) for v in values) or '"none"'


def command_grammar(names: StoreNames) -> str:
    rules = {
        "start": f'line ("\\n" line){{0,{MAX_COMMANDS - 1}}}',
        "line": " | ".join(SPEC),
        "typecat": " | ".join([_literal(f" type={quote(t)} cat={quote(c)}") for t, c in sorted(names.types.items())]
                              + [_literal(f" cat={quote(c)}") for c in names.categories]),
        "brandname": _alternatives(quote(b) for b in names.brands),
        "topicname": _alternatives(quote(t) for t in names.topics),
    }
    for kind, (_, slots) in SPEC.items():
        parts = [_literal(kind)]
        for slot in slots:
            if kind == "search" and slot.key == "cat":
                continue  # written with its type in `typecat`
            parts.append(_slot(kind, slot))
        rules[kind] = " ".join(parts)
    terminals = {
        "TEXT": r'/"[^"\n]{1,80}"/ | /[A-Za-z0-9_.@+-]{1,40}/',
        "NUMBER": r"/[0-9]{1,7}(\.[0-9]{1,2})?/",
        "REF": r'"-1" | /[1-9]/',
    }
    return "\n".join(f"{name}: {body}" for name, body in {**rules, **terminals}.items()) + "\n"


def _slot(kind: str, slot) -> str:
    key = _literal(f" {slot.key}=")
    if kind == "search" and slot.key == "type":
        return "typecat?"
    if slot.key in ("brand", "not_brand"):
        return f"({key} brandname)*"
    if slot.key == "topic":
        return f"({key} topicname)+"
    if slot.kind == "number":
        return f"({key} NUMBER)?"
    if slot.kind == "flag":
        return f'({key} "yes")?'
    if slot.kind == "refs":
        return f"({key} REF)*"
    choices = CHOICES.get((kind, slot.key))
    if choices is not None:
        value = f"({_alternatives(choices)})"
        if slot.key == "about":
            return f"({key} {value})+"
        if kind == "order_change" and slot.key == "kind":
            return f"{key} {value}"
        return f"({key} {value})?"
    if slot.kind == "many":
        return f"({key} TEXT)*"
    return f"({key} TEXT)?"
