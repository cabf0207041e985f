"""Values computed once per request (请求内缓存): the ids of an inspector's schools, read by
every scope rule of a page (issue 10; docs/benchmarks.md).

`RequestMemoMiddleware` opens an empty memo for each request and drops it at the end, so a
value never outlives the request that computed it. Outside a request (commands, tasks, tests
calling services) there is no memo and `memoised` computes every time: nothing can go stale
there. A write that changes what a memoised value depends on calls `forget()` (the
assignment signals in dudao/inspectors/apps.py do), so a request that reassigns schools and
then reads them sees the new ones.
"""

from collections.abc import Callable, Hashable
from contextvars import ContextVar
from typing import TypeVar

T = TypeVar("T")

_memo: ContextVar[dict | None] = ContextVar("dudao_request_memo", default=None)


def memoised(key: Hashable, compute: Callable[[], T]) -> T:
    """`compute()`, once per request for `key`; every time outside a request."""
    memo = _memo.get()
    if memo is None:
        return compute()
    try:
        return memo[key]
    except KeyError:
        value = memo[key] = compute()
        return value


def forget() -> None:
    """Drop what this request has memoised (after a write it may depend on)."""
    memo = _memo.get()
    if memo:
        memo.clear()


class RequestMemoMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _memo.set({})
        try:
            return self.get_response(request)
        finally:
            _memo.reset(token)
