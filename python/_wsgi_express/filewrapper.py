"""wsgi.file_wrapper (PEP 3333, "Optional Platform-Specific File Handling").

The same class is exposed as mod_wsgi.FileWrapper. The response layer recognises an
unchanged FileWrapper around a regular file and sends it with os.pread() in large
blocks from the file's current position (mod_wsgi's optimised path); anything else is
iterated in ``blksize`` blocks like any other iterable.
"""

import io
import os
import stat


class FileWrapper:
    def __init__(self, filelike, blksize=8192):
        self.filelike = filelike
        self.blksize = blksize
        if hasattr(filelike, "close"):
            # PEP 3333: close() of the wrapper must call the file-like's close().
            self.close = filelike.close

    def __iter__(self):
        return self

    def __next__(self):
        data = self.filelike.read(self.blksize)
        if data:
            return data
        raise StopIteration


def regular_file_span(wrapper):
    """``(fd, position, size)`` when ``wrapper`` can take the optimised path, else None.

    As mod_wsgi: the file-like needs fileno() and tell(), and the descriptor must be
    a regular file (a pipe or socket has no size to send up to).
    """
    if type(wrapper) is not FileWrapper:
        return None
    filelike = wrapper.filelike
    try:
        fd = filelike.fileno()
        position = filelike.tell()
        info = os.fstat(fd)
    except (AttributeError, OSError, ValueError, io.UnsupportedOperation):
        return None
    if not stat.S_ISREG(info.st_mode) or not isinstance(position, int):
        return None
    return fd, position, info.st_size
