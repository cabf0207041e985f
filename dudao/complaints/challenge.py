"""The public form's challenge: a small sum, asked in words and signed by the server. It needs
no outside service, no script and no image, so it works on any phone and with a screen
reader ("请计算：3 加 4 等于多少？").

The form carries a token signed with Django's `signing` (the site's SECRET_KEY): the two
numbers, the time it was issued and a random nonce. On submission the token must

- be intact (not forged) and at most `MAX_AGE` old (a form left open for a day is asked
  again);
- be at least `MIN_SECONDS` old: nobody writes a complaint in two seconds, a script does;
- be answered with the right sum;
- not have been used before: the nonce is remembered in the cache when a complaint is
  accepted, so a token solved once cannot be replayed (a resent form meets "already used").

Honesty about its strength: a program that reads the page can compute the sum. The sum
stops blind form-fillers; the rate limits per address and per school (`public_views`), the
honeypot field and the merging of duplicates are what keep a determined flood out of the
office's figures.
"""

import random
import secrets
from dataclasses import dataclass

from django.core import signing
from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import gettext as _

SALT = "dudao.complaints.challenge"
MAX_AGE = 2 * 60 * 60  # seconds
MIN_SECONDS = 3
USED_PREFIX = "dudao:complaints:challenge-used:"


@dataclass(frozen=True)
class Challenge:
    a: int
    b: int
    token: str

    @property
    def question(self) -> str:
        return _("What is %(a)s plus %(b)s?") % {"a": self.a, "b": self.b}


class ChallengeFailed(Exception):
    """The challenge was not met; the message says what to do."""


def new(rng: random.Random | None = None) -> Challenge:
    rng = rng or secrets.SystemRandom()
    a, b = rng.randint(2, 9), rng.randint(1, 9)
    payload = {"a": a, "b": b, "t": int(timezone.now().timestamp()), "n": secrets.token_hex(8)}
    return Challenge(a, b, signing.dumps(payload, salt=SALT))


def read(token: str) -> Challenge | None:
    """The challenge a token carries, or None if it is forged or expired."""
    payload = _payload(token)
    if payload is None:
        return None
    return Challenge(payload["a"], payload["b"], token)


def _payload(token: str) -> dict | None:
    if not token or len(token) > 500:
        return None
    try:
        payload = signing.loads(token, salt=SALT, max_age=MAX_AGE)
    except signing.BadSignature:
        return None
    if not isinstance(payload, dict) or not all(
        isinstance(payload.get(key), int) for key in ("a", "b", "t")
    ):
        return None
    return payload


def check(token: str, answer) -> None:
    """Raise ChallengeFailed unless `answer` solves the token's sum in time and the token was
    not used before. Does not use the token up (`use` does, just before the complaint is
    saved)."""
    payload = _payload(token)
    if payload is None:
        raise ChallengeFailed(_("The form has expired. Answer the new question and send it again."))
    if timezone.now().timestamp() - payload["t"] < MIN_SECONDS:
        raise ChallengeFailed(_("That was very fast. Please check the form and send it again."))
    if cache.get(USED_PREFIX + str(payload.get("n"))):
        raise ChallengeFailed(
            _("This form was already sent. Answer the new question to send another report.")
        )
    try:
        value = int(str(answer).strip())
    except (TypeError, ValueError):
        value = None
    if value != payload["a"] + payload["b"]:
        raise ChallengeFailed(_("The answer to the question is not right. Please try again."))


def use(token: str) -> None:
    """Use the token up, once: remembered until it would have expired anyway. `cache.add` is
    atomic, so of two submissions of one token only the first gets here; the second raises
    ChallengeFailed."""
    payload = _payload(token)
    if payload is None or not cache.add(
        USED_PREFIX + str(payload.get("n")), 1, timeout=MAX_AGE + 60
    ):
        raise ChallengeFailed(
            _("This form was already sent. Answer the new question to send another report.")
        )
