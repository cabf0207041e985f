"""Tracking codes, the text fingerprint that finds duplicates, and the client's address hash.

**Tracking code.** 10 characters from a 31-letter alphabet without look-alikes (no 0/O,
1/I/L): 31¹⁰ ≈ 8 × 10¹⁴ codes, drawn with `secrets`, so a code cannot be guessed (the
tracking page is rate limited too, a few dozen tries an hour per address). Printed in two
groups of five (`ABCDE-FGHJK`); what the sender types is read whatever its case, spaces and
dashes. A character outside the alphabet makes the code "not found": nothing is guessed.

**Text fingerprint.** The same text sent twice is the same after Unicode normalisation
(NFKC: full-width and half-width forms alike), lower case, and with every space and
punctuation mark removed.

**Client hash.** HMAC-SHA256 of the client's address keyed with the site's SECRET_KEY
(`salted_hmac`): equal addresses give equal hashes, so limits and merging work, but the
address cannot be read back from the database (nor found by hashing every IPv4 address
without the key).
"""

import hashlib
import random
import secrets
import unicodedata

from django.utils.crypto import salted_hmac

ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 10
_SYSTEM_RANDOM = secrets.SystemRandom()


def new_tracking_code(rng: random.Random | None = None) -> str:
    """A fresh random code; `rng` only for the demo's reproducible codes."""
    rng = rng or _SYSTEM_RANDOM
    return "".join(rng.choice(ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(text: str) -> str:
    """What the sender typed, as stored: upper case, spaces and dashes dropped. Returns "" for
    anything that cannot be a code."""
    code = "".join(ch for ch in (text or "")[:40].upper() if ch not in " -_\t\u3000－")
    if len(code) != CODE_LENGTH or any(ch not in ALPHABET for ch in code):
        return ""
    return code


def normalised_text(text: str) -> str:
    folded = unicodedata.normalize("NFKC", text or "").casefold()
    return "".join(
        ch for ch in folded if not (ch.isspace() or unicodedata.category(ch).startswith(("P", "S")))
    )


def text_fingerprint(text: str) -> str:
    return hashlib.sha256(normalised_text(text).encode()).hexdigest()


def client_hash(address: str | None) -> str:
    if not address:
        return ""
    return salted_hmac("dudao.complaints.client", address, algorithm="sha256").hexdigest()
