"""Writes of a pole's charter signature from outside the admin's forms: the spreadsheet import
(« signature de la charte » column, ``resources.PoleResource``)."""

from __future__ import annotations

import datetime

from .models import Charter, CharterSignature


def set_pole_signature(
    pole, signed_on: datetime.date | None, *, user=None, reason: str = ""
) -> bool:
    """Make ``pole``'s signature of the charter say ``signed_on``: created, moved to that date,
    or deleted when ``signed_on`` is None (an empty cell: the pole did not sign). Its note and
    sources stay as curators wrote them. Returns whether anything changed."""
    charter = Charter.objects.the_charter()
    if charter is None:
        return False
    signature = CharterSignature.objects.filter(charter=charter, pole=pole).first()
    if signature is not None and signature.signed_on == signed_on:
        return False
    if signature is None and signed_on is None:
        return False
    if signature is None:
        signature = CharterSignature(charter=charter, pole=pole)
    if user is not None and user.is_authenticated:
        signature._history_user = user
    signature._change_reason = reason
    if signed_on is None:
        signature.delete()
    else:
        signature.signed_on = signed_on
        signature.save()
    return True
