"""'did you mean' for a misspelt key, table, step kind or material: the closest allowed name (difflib)."""
from __future__ import annotations

import difflib


def closest(word, allowed) -> str | None:
    """The allowed name nearest to word, or None when nothing is close (difflib's ratio below 0.6)."""
    if not isinstance(word, str):
        return None
    allowed = [a for a in allowed if isinstance(a, str)]
    hits = difflib.get_close_matches(word, allowed, n=1, cutoff=0.6)
    if hits:
        return hits[0]
    # a name given without its unit suffix (length -> length_mm) or its qualifier (creep -> copper_creep)
    for part in ([a for a in allowed if a.startswith(word + "_")], [a for a in allowed if a.endswith("_" + word)]):
        if len(part) == 1:
            return part[0]
    return None


def did_you_mean(word, allowed, fmt: str = "'{}'") -> str:
    """' (did you mean 'x'?)' or '' when nothing is close."""
    hit = closest(word, allowed)
    return f" (did you mean {fmt.format(hit)}?)" if hit else ""
