"""Bit sets of the published poles: a Python ``int`` whose bit ``p`` says whether the pole at
place ``p`` (of ``facet_sets.PoleSets.ids``) is in the set. Shared by the directory's sets
(``facet_sets.py``, ``facets.py``) and the search's kept words (``search/memory.py``); a leaf
module, importing nothing of the project, so that both may use it."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

Bits = int


def bits_from(places: Iterable[int], size: int) -> Bits:
    """The bit set of ``places`` (each < ``size``), built in one pass over a buffer: or-ing
    ``1 << p`` one by one would copy the whole integer each time."""
    buffer = bytearray((size >> 3) + 1)
    for place in places:
        buffer[place >> 3] |= 1 << (place & 7)
    return int.from_bytes(buffer, "little")


def places_of(bits: Bits) -> list[int]:
    """The places set in ``bits``, in increasing order."""
    data = bits.to_bytes((bits.bit_length() >> 3) + 1, "little")
    return [
        (index << 3) + bit
        for index, byte in enumerate(data) if byte
        for bit in range(8) if byte >> bit & 1
    ]


def places_in(bits: Bits, order: Iterable[int], size: int) -> Iterator[int]:
    """The places of ``order`` (an order of all ``size`` places) that ``bits`` holds, in that
    order: one byte read per place rather than a shift of the whole integer."""
    data = bits.to_bytes((size >> 3) + 1, "little")
    return (place for place in order if data[place >> 3] >> (place & 7) & 1)
