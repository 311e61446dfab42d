"""Comparing the answers of two requests, as a visitor sees them (the forms that must not tell
whether an address is known: claims, proposals, password reset)."""

import re

# What each response has its own: the CSP nonce, the CSRF token.
PER_RESPONSE = re.compile(r'(nonce|value)="[\w-]{16,}"')


def page_text(response) -> str:
    """The page, without what each response has its own."""
    return PER_RESPONSE.sub("", response.content.decode())
