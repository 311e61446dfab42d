"""Calls made with room on CPython's frame stack, so that thousands of requests do not each map
and unmap memory hundreds of times.

CPython (3.11 and later) keeps a thread's frames in chunks: when a call does not fit in the
last chunk, a new one of 16 KiB is mapped from the system (``mmap``), and it is unmapped as soon
as the frame at its start returns. Django's middleware and template rendering go up and down
across such a boundary all the time: the walk of ``test_hostile_urls`` made about 270
``mmap``/``munmap`` pairs per request (175,000 for one of its shares), with a page fault or
more for each, a fifth of its CPU time spent in the kernel.

``with_stack_room(call, ...)`` calls ``call`` from a frame of about 72 KiB: it does not fit in
a 16 KiB chunk, so it starts one of 128 KiB, which stays mapped until the call returns and
leaves some 56 KiB after that frame for the frames of ``call`` and of everything it calls (a
request and its templates stay well within it). The result is the call's, its exceptions
propagate: only the place of its frames changes. Every test runs so (``pytest_runtest_protocol``
in tests/conftest.py), and so do the live servers' threads.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

# 9,000 local variables of 8 bytes: a frame too large for a 16 KiB chunk (and for 64 KiB).
_SLOTS = 9_000


def _roomy_caller() -> Callable[..., Any]:
    # The variables are only assigned in a branch never taken: they make the frame large (a
    # frame holds a slot per local variable) and cost nothing else.
    names = " = ".join(f"_{number}" for number in range(_SLOTS))
    source = (
        "def with_stack_room(call, /, *args, **kwargs):\n"
        "    if False:\n"
        f"        {names} = None\n"
        "    return call(*args, **kwargs)\n"
    )
    namespace: dict[str, Any] = {}
    exec(compile(source, f"<{__name__}>", "exec"), namespace)  # noqa: S102 (our own source)
    return namespace["with_stack_room"]


with_stack_room = _roomy_caller()
with_stack_room.__doc__ = "``call(*args, **kwargs)``, its frames in a chunk of their own."
