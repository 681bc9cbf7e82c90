"""Progress bars for long management commands (tqdm, written to stderr)."""

import sys

from tqdm import tqdm


def progress(iterable=None, total=None, description="", disable=None):
    if disable is None:
        disable = not sys.stderr.isatty() and total is not None and total < 1000
    return tqdm(iterable, total=total, desc=description, unit=" Datensätze", file=sys.stderr, disable=disable)
