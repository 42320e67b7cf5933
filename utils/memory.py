"""Hand the memory that Python and its libraries have freed back to the operating system."""
from __future__ import annotations

import ctypes
import gc
import sys


def release_memory() -> bool:
    """Collect garbage, then ask glibc to return freed heap memory to the system (Linux); True if it released some.

    glibc's malloc keeps freed memory for reuse, in a separate heap for each busy thread: what TensorFlow's threads
    freed after training stays in the process's resident memory, and the main thread cannot reuse it for the next
    step. ``malloc_trim(0)`` gives the free pages of every heap back. Elsewhere this only collects garbage.
    """
    gc.collect()
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:  # another C library (musl, for example)
        return False
    return bool(libc.malloc_trim(0))
