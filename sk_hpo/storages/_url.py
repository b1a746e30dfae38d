"""Storage URLs as they may be shown: passwords masked."""

from __future__ import annotations

import re

__all__ = ["mask_url"]

# scheme://user:PASSWORD@host -- the password runs to the last '@' before the host part.
_PASSWORD = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*://[^/:@\s'\"]*:)([^\s'\"]*)(@[^@/\s'\"]*)")
_KEYWORD = re.compile(r"(\bpassword\s*=\s*)('[^']*'|\S+)", re.IGNORECASE)


def mask_url(text: object) -> str:
    """``text`` (a URL, or a message quoting one) with every password replaced by ``***``.

    Both URL passwords (``postgresql://user:secret@host/db``) and libpq keywords
    (``password=secret``) are masked; anything else is kept as is.

    Examples
    --------
    >>> mask_url("postgresql://ann:s3cret@db.example:5432/hpo")
    'postgresql://ann:***@db.example:5432/hpo'
    >>> mask_url("sqlite:///hpo.db")
    'sqlite:///hpo.db'
    >>> mask_url("host=db password=s3cret user=ann")
    'host=db password=*** user=ann'
    """
    text = _PASSWORD.sub(r"\1***\3", str(text))
    return _KEYWORD.sub(r"\1***", text)
