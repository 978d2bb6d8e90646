"""What a Lambda SnapStart restore must redo (the stack's ``snap_start`` context).

With SnapStart, Lambda runs INIT once when it publishes a version, snapshots the
process, and resumes every new execution environment from that one snapshot. Anything
INIT drew from entropy is then the same in all of them: here, the ``random`` module's
global generator (retry jitter must differ between concurrent environments to spread
them out). ``uuid4`` and ``secrets`` read the kernel on every call and need nothing.
"""

from __future__ import annotations

import random


def register_restore_hooks() -> None:
    """Reseed ``random`` after every restore. Lambda's Python runtimes ship the hook
    library (``snapshot_restore_py``); elsewhere, and without SnapStart, nothing happens."""
    try:
        from snapshot_restore_py import register_after_restore
    except ImportError:
        return
    register_after_restore(random.seed)
