"""Checks on what an application passes to start_response() (PEP 3333
"The start_response() Callable"). Bad values are refused here, with a message naming
what was wrong, rather than reaching the front end (which re-validates anyway)."""

import re
from http import HTTPStatus

# RFC 9110 §5.6.2 token: what a header field name may contain.
TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+\Z")
# RFC 9110 §5.5: field values are HTAB, SP, VCHAR and obs-text; anything else (CR, LF
# and NUL above all: response splitting) or beyond latin-1 cannot be sent as is.
BAD_VALUE = re.compile(r"[^\t\x20-\x7e\x80-\xff]")
STATUS = re.compile(r"[1-9][0-9]{2} ")
BARE_STATUS = re.compile(r"[1-9][0-9]{2}\Z")

# Statuses and header lines already found valid, so that the regular expressions run
# once per distinct one rather than on every response: an application sends the same
# few again and again. Bounded: past the limit, new ones are checked every time. Only
# short values are kept, and never a Set-Cookie line: those differ per response (a
# session's token), would only fill the cache, and should not linger in memory.
CACHE_LIMIT = 1024
CACHED_VALUE_SIZE = 100
_valid_statuses = {}  # status as given -> as sent
_valid_headers = {}  # (name, value) -> its Content-Length, or NOT_LENGTH
NOT_LENGTH = object()
UNSEEN = object()


def check_status(status):
    valid = _valid_statuses.get(status) if type(status) is str else None
    if valid is not None:
        return valid
    valid = _check_status(status)
    if len(_valid_statuses) < CACHE_LIMIT:
        _valid_statuses[status] = valid
    return valid


def _check_status(status):
    if type(status) is not str:
        raise TypeError("WSGI status must be a str such as '200 OK', got %s: %r"
                        % (type(status).__name__, status))
    if not STATUS.match(status):
        if BARE_STATUS.match(status):
            # A code with no reason phrase: mod_wsgi 6 sends it with the standard phrase.
            return "%s %s" % (status, _phrase(int(status)))
        raise ValueError("WSGI status must be a 3-digit code, a space and a reason "
                         "phrase, got %r" % (status,))
    if BAD_VALUE.search(status):
        raise ValueError("WSGI status %r contains a control character or a character "
                         "outside latin-1" % (status,))
    return status


def _phrase(code):
    try:
        return HTTPStatus(code).phrase
    except ValueError:
        return "Unknown"


def check_headers(headers):
    """Validates the header list; returns the declared Content-Length or None."""
    if type(headers) is not list:
        raise TypeError("WSGI response headers must be a list of (name, value) tuples, "
                        "got %s" % type(headers).__name__)
    content_length = None
    for header in headers:
        if type(header) is tuple and len(header) == 2 and type(header[0]) is str \
                and type(header[1]) is str:
            known = _valid_headers.get(header, UNSEEN)
            if known is UNSEEN:
                known = _check_header(header)
                if len(_valid_headers) < CACHE_LIMIT and _worth_keeping(header):
                    _valid_headers[header] = known
        else:
            known = _check_header(header)  # raises: not a (str, str) tuple
        if known is not NOT_LENGTH:
            content_length = known
    return content_length


def _worth_keeping(header):
    name, value = header
    return len(value) <= CACHED_VALUE_SIZE and not (
        len(name) == 10 and name.lower() == "set-cookie")


def _check_header(header):
    """One (name, value) checked: its Content-Length (int or None), or NOT_LENGTH."""
    if type(header) is not tuple or len(header) != 2:
        raise TypeError("WSGI response header must be a (name, value) tuple, got %r"
                        % (header,))
    name, value = header
    if type(name) is not str or type(value) is not str:
        raise TypeError("WSGI response header name and value must be str, got %r"
                        % (header,))
    if not TOKEN.match(name):
        raise ValueError("WSGI response header name %r is not a valid HTTP token"
                         % (name,))
    if BAD_VALUE.search(value):
        raise ValueError("WSGI response header %r has a value containing CR, LF, NUL, "
                         "another control character or a non-latin-1 character: %r"
                         % (name, value))
    if len(name) == 14 and name.lower() == "content-length":
        return _length(value)
    return NOT_LENGTH


def _length(value):
    value = value.strip()
    # An unparsable Content-Length is left to the front end to refuse; it declares
    # no limit here.
    return int(value) if value.isdigit() and value.isascii() else None
