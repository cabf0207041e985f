"""Keeps the current request's origin (IP, user agent) where the audit log can read it, so
service functions record "from where" without taking a request argument.

The address is the TCP peer (REMOTE_ADDR) unless that peer is one of the proxies named in
settings.TRUSTED_PROXIES: only then are X-Forwarded-For / X-Real-IP believed, walking the
X-Forwarded-For chain from the right past the trusted proxies. Anything that is not an IP
address falls back to the peer, so a forged header can neither be recorded nor break a write
(the audit column is an IP address field)."""

import ipaddress
from contextvars import ContextVar
from functools import lru_cache

from django.conf import settings

_current_origin: ContextVar[tuple[str | None, str]] = ContextVar("audit_origin", default=(None, ""))

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    return tuple(ipaddress.ip_network(entry.strip(), strict=False) for entry in entries)


def parse_ip(value) -> IPAddress | None:
    """An IP address, or None for anything else (names, ports, IPv6 zone ids, garbage)."""
    if not isinstance(value, str) or not value.strip() or len(value) > 64:
        return None
    try:
        address = ipaddress.ip_address(value.strip())
    except ValueError:
        return None
    if getattr(address, "scope_id", None):
        return None
    # An IPv4 peer seen through a dual-stack socket (::ffff:10.0.0.1) is that IPv4 address.
    mapped = getattr(address, "ipv4_mapped", None)
    return mapped or address


def is_trusted_proxy(address: IPAddress | None) -> bool:
    if address is None:
        return False
    entries = tuple(getattr(settings, "TRUSTED_PROXIES", ()) or ())
    return any(address in network for network in _networks(entries))


def client_ip(request) -> str | None:
    """The client's address as far as the configured proxies vouch for it (see module doc)."""
    peer = parse_ip(request.META.get("REMOTE_ADDR"))
    if peer is None:
        return None
    if not is_trusted_proxy(peer):
        return str(peer)
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR")
    if forwarded is not None and forwarded.strip():
        # From the right: the last hop is who talked to our proxy; skip our own proxies. What
        # lies left of the first outside address was written by the client and is not read.
        hop = None
        for text in reversed(forwarded.split(",")[-32:]):
            hop = parse_ip(text)
            if hop is None:
                return str(peer)
            if not is_trusted_proxy(hop):
                break
        return str(hop)
    real = request.META.get("HTTP_X_REAL_IP")
    if real is not None and real.strip():
        address = parse_ip(real)
        return str(address) if address is not None else str(peer)
    return str(peer)


def current_origin() -> tuple[str | None, str]:
    return _current_origin.get()


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _current_origin.set(
            (client_ip(request), request.META.get("HTTP_USER_AGENT", "")[:300])
        )
        try:
            return self.get_response(request)
        finally:
            _current_origin.reset(token)
