"""How django-axes names the account behind a failed login.

What a visitor types as a username is stored with each failed attempt: a hostile one (longer
than the column, or with a NUL byte, which PostgreSQL refuses in text) would turn a failed login
into a server error. It is cut to the longest username an account may have, without NUL bytes.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.http import HttpRequest

from .accounts import login_identity


def lockout_username(request: HttpRequest, credentials: dict | None) -> str:
    field = settings.AXES_USERNAME_FORM_FIELD
    username = (credentials or {}).get(field)
    if username is None and request is not None:
        username = request.POST.get(field, "")
    model = get_user_model()
    max_length = model._meta.get_field(model.USERNAME_FIELD).max_length or 150
    username = str(username or "").replace("\x00", "")[:max_length]
    # One count per account, whether its e-mail address (any case) or username was typed.
    return login_identity(username)[:max_length]
