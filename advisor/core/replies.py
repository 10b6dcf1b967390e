"""What we say in our own words when no guide is quoted: thanks, hello, goodbye.

Judged transcripts scored the one fixed "You're welcome! Ask me anything else about <seven roles>" a 4 at
best and a 3 after a user spoke of a hard time ("thank you, really. its been a rough couple years"): a
reply should answer what the person said, and stay short (conv8 and conv9 tune halves).
"""

from __future__ import annotations

import re

# what a person says of a hard time, in the thanks that ends a conversation
_HARD_TIME = re.compile(
    r"\b(?:rough|hard|tough|difficult|stress\w*|scar\w*|worr\w*|anxious|anxiety|overwhelm\w*|lost|laid off|"
    r"passed away|died|grief|griev\w*|burn(?:ed|t)? out|exhausted|struggl\w*)\b",
    re.I,
)
_NOT_LOST = re.compile(r"\b(?:less|not so|no longer)\s+(?:\w+\s+)?lost\b", re.I)
_THANKS_IN = {  # a thanks in another language is answered in it
    "gracias": "¡De nada!",
    "obrigad": "De nada!",
    "merci": "Avec plaisir !",
    "danke": "Gern geschehen!",
    "grazie": "Prego!",
}


def thanks(message: str, role: str, topics: str) -> str:
    """`role`: the roles the conversation was about, in the plural ("" for none); `topics`: every role covered."""
    lowered = message.lower()
    welcome = next((reply for word, reply in _THANKS_IN.items() if word in lowered), "You're welcome!")
    if _HARD_TIME.search(message) and not _NOT_LOST.search(message):
        welcome += " I'm sorry it has been a hard stretch, and I hope the next step goes well."
    elif role:
        welcome += " Good luck with the next step."
    more = f"more on {role} or any of the other roles I cover" if role else f"anything about {topics}"
    return f"{welcome} If you want {more}, just ask."
