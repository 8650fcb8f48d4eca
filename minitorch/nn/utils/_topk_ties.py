"""Which indices ``torch.topk`` (CPU) picks when values tie, reproduced exactly.

Pruning keeps or removes weights by ``topk`` of their importance. When several weights have the same
importance at the cut (zeros left by an earlier pruning, integer-valued scores, identical channels),
which of them torch prunes is decided by the selection algorithm it runs: per row it fills a queue of
``(value, index)`` pairs and calls ``std::partial_sort`` when ``k * 64 <= n``, else
``std::nth_element`` (GCC's libstdc++ in the official builds), then reads the first ``k`` entries.
The comparators look at the values only, so the tied indices that end up in front are the ones those
two algorithms leave there. This module runs the same two algorithms (introselect with median-of-3 and
Hoare partitions; heap select) so a pruning mask equals torch's bit for bit, ties included.

Only the *set* of the first ``k`` indices is returned (a mask does not depend on their order). The
common case (no tie straddles the cut) is answered by one ``np.partition``; the emulation runs only
when it matters, and its partition step is vectorised, so a million weights take well under a second.
"""
from __future__ import annotations

import numpy as np


def topk_index_set(values, k: int, largest: bool = True) -> np.ndarray:
    """The indices (sorted ascending, int64, NumPy) that ``torch.topk(values, k, largest=largest)`` returns
    on the CPU for a 1-D array ``values``; NaN counts as the largest value, as in torch."""
    x = np.asarray(values).reshape(-1)
    n = x.size
    if k <= 0:
        return np.zeros(0, dtype=np.int64)
    if k >= n:
        return np.arange(n, dtype=np.int64)
    x = x.astype(np.float64 if x.dtype.kind == "f" else np.int64)  # the order of every value is kept
    if x.dtype.kind == "f" and np.isnan(x).any():
        _, keys = np.unique(x, return_inverse=True)  # dense ranks; NaNs share the top rank, as torch compares
        keys = keys.reshape(-1).astype(np.int64)
    else:
        keys = x
    if largest:
        keys = -keys  # the comparator becomes "key < key" in both cases
    kth = np.partition(keys, k - 1)[k - 1]
    better_or_equal = keys <= kth
    if int(better_or_equal.sum()) == k:  # no tie straddles the cut: the set is forced
        return np.flatnonzero(better_or_equal).astype(np.int64)
    v = keys.copy()
    ix = np.arange(n, dtype=np.int64)
    if k * 64 <= n:
        _heap_select_scan(v, ix, k)
    else:
        _introselect(v, ix, k - 1, 0, n)
    return np.sort(ix[:k])


# ---- libstdc++'s algorithms, on a value array ``v`` carried together with an index array ``ix`` -------------
def _swap(v, ix, a: int, b: int) -> None:
    v[a], v[b] = v[b], v[a]
    ix[a], ix[b] = ix[b], ix[a]


def _adjust_heap(v, ix, first: int, hole: int, length: int, val, vid) -> None:
    """std::__adjust_heap: sift the hole at ``hole`` down to a leaf, then push ``val`` up (max-heap on <)."""
    top = hole
    second = hole
    while second < (length - 1) // 2:
        second = 2 * (second + 1)
        if v[first + second] < v[first + second - 1]:
            second -= 1
        v[first + hole] = v[first + second]
        ix[first + hole] = ix[first + second]
        hole = second
    if (length & 1) == 0 and second == (length - 2) // 2:
        second = 2 * (second + 1)
        v[first + hole] = v[first + second - 1]
        ix[first + hole] = ix[first + second - 1]
        hole = second - 1
    parent = (hole - 1) // 2
    while hole > top and v[first + parent] < val:
        v[first + hole] = v[first + parent]
        ix[first + hole] = ix[first + parent]
        hole = parent
        parent = (hole - 1) // 2
    v[first + hole] = val
    ix[first + hole] = vid


def _make_heap(v, ix, first: int, middle: int) -> None:
    length = middle - first
    if length < 2:
        return
    parent = (length - 2) // 2
    while True:
        _adjust_heap(v, ix, first, parent, length, v[first + parent], ix[first + parent])
        if parent == 0:
            return
        parent -= 1


def _heap_select(v, ix, first: int, middle: int, last: int) -> None:
    """std::__heap_select: the ``middle - first`` smallest end up in front, as a max-heap."""
    _make_heap(v, ix, first, middle)
    length = middle - first
    for i in range(middle, last):
        if v[i] < v[first]:
            val, vid = v[i], ix[i]
            v[i] = v[first]
            ix[i] = ix[first]
            _adjust_heap(v, ix, first, 0, length, val, vid)


def _heap_select_scan(v, ix, k: int) -> None:
    """``_heap_select(v, ix, 0, k, n)`` (std::partial_sort's selection) on Python lists, visiting only the
    elements that can enter the heap: those below its top when the scan starts (the top only falls)."""
    vl, il = v.tolist(), ix.tolist()
    _make_heap(vl, il, 0, k)
    for i in (np.flatnonzero(v[k:] < vl[0]) + k).tolist():
        if vl[i] < vl[0]:
            val, vid = vl[i], il[i]
            vl[i] = vl[0]
            il[i] = il[0]
            _adjust_heap(vl, il, 0, 0, k, val, vid)
    ix[:] = il
    v[:] = vl


def _partition_pivot(v, ix, first: int, last: int) -> int:
    """std::__unguarded_partition_pivot: median of (first+1, mid, last-1) moved to ``first``, then Hoare's
    scan of [first+1, last). The scan is vectorised: the left stops are the positions holding >= pivot,
    the right stops (from the end) those holding <= pivot, and they are swapped pairwise while they
    have not crossed; the cut is where the left scan stops after the last swap."""
    mid = first + (last - first) // 2
    a, b, c = first + 1, mid, last - 1
    va, vb, vc = v[a], v[b], v[c]
    if va < vb:
        m = b if vb < vc else (c if va < vc else a)
    elif va < vc:
        m = a
    else:
        m = c if vb < vc else b
    _swap(v, ix, first, m)
    p = v[first]
    lo = first + 1
    seg = v[lo:last]
    left = np.flatnonzero(seg >= p)
    right = np.flatnonzero(seg <= p)[::-1]
    n = min(left.size, right.size)
    uncrossed = left[:n] < right[:n]
    m = n if bool(uncrossed.all()) else int(np.argmin(uncrossed))
    if m == 0:
        return lo + int(left[0])
    cut = int(right[m - 1])  # the last swap put a value >= pivot there: the left scan stops there at the latest
    if m < left.size:
        cut = min(cut, int(left[m]))
    lp, rp = left[:m] + lo, right[:m] + lo
    v[lp], v[rp] = v[rp], v[lp].copy()
    ix[lp], ix[rp] = ix[rp], ix[lp].copy()
    return lo + cut


def _introselect(v, ix, nth: int, first: int, last: int) -> None:
    """std::nth_element (libstdc++'s __introselect with depth limit 2 * floor(log2(n)))."""
    depth = 2 * ((last - first).bit_length() - 1)
    while last - first > 3:
        if depth == 0:
            vl, il = v.tolist(), ix.tolist()
            _heap_select(vl, il, first, nth + 1, last)
            _swap(vl, il, first, nth)
            v[:] = vl
            ix[:] = il
            return
        depth -= 1
        cut = _partition_pivot(v, ix, first, last)
        if cut <= nth:
            first = cut
        else:
            last = cut
    for i in range(first + 1, last):  # std::__insertion_sort on the last <= 3 elements
        val, vid = v[i], ix[i]
        if val < v[first]:
            v[first + 1:i + 1] = v[first:i].copy()
            ix[first + 1:i + 1] = ix[first:i].copy()
            v[first] = val
            ix[first] = vid
        else:
            j = i
            while val < v[j - 1]:
                v[j] = v[j - 1]
                ix[j] = ix[j - 1]
                j -= 1
            v[j] = val
            ix[j] = vid
