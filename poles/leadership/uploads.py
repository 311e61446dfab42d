"""Logo uploads: only real PNG, JPEG or WebP images, checked by decoding, re-encoded for the web.

What the browser says (file name, content type) is never trusted: the file is opened with
Pillow, its format and size are read from the header before any pixel is decoded, and the
pixels are then re-encoded into a fresh file, which drops metadata (EXIF, GPS position, ICC
comments…) and anything hidden after the image data. SVG is refused: it is a document that may
carry scripts, not an image format Pillow decodes.
"""

from __future__ import annotations

import io
import logging
import warnings

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import Storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models.fields.files import FieldFile
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

logger = logging.getLogger(__name__)

MAX_BYTES = 2 * 1024 * 1024
MAX_PIXELS_SIDE = 4000
WEB_SIZE = (400, 400)
ACCEPTED_FORMATS = {"PNG", "JPEG", "WEBP"}

MESSAGES = {
    "too_big": _("Le fichier dépasse 2 Mo : réduisez l'image avant de l'envoyer."),
    "not_image": _(
        "Ce fichier n'est pas une image PNG, JPEG ou WebP lisible (les SVG ne sont pas "
        "acceptés) : enregistrez le logo dans l'un de ces formats."
    ),
    "bad_format": _("Format %(format)s non accepté : envoyez le logo en PNG, JPEG ou WebP."),
    "too_large": _(
        "L'image mesure %(width)s × %(height)s pixels ; 4000 × 4000 pixels au plus sont acceptés."
    ),
    "bomb": _(
        "Cette image annonce des dimensions démesurées pour sa taille (bombe de "
        "décompression) : elle est refusée."
    ),
    "empty": _("Le fichier envoyé est vide."),
}


def process_logo(upload) -> ContentFile:
    """Check ``upload`` and return it re-encoded as WebP (transparency kept), fitting in
    400 × 400 px.

    Raises ``ValidationError`` with a French message for anything that is not a PNG, JPEG or
    WebP image within the limits.
    """
    size = getattr(upload, "size", None)
    if size is None:
        upload.seek(0, io.SEEK_END)
        size = upload.tell()
    if size > MAX_BYTES:  # before reading a byte of it
        raise ValidationError(MESSAGES["too_big"], code="too_big")
    if size == 0:
        raise ValidationError(MESSAGES["empty"], code="empty")
    upload.seek(0)
    data = upload.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise ValidationError(MESSAGES["too_big"], code="too_big")

    with warnings.catch_warnings():
        # Pillow warns (DecompressionBombWarning) above ~89 Mpx and raises above twice that:
        # both are refusals here.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data), formats=sorted(ACCEPTED_FORMATS))
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise ValidationError(MESSAGES["bomb"], code="bomb") from None
        except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
            raise ValidationError(MESSAGES["not_image"], code="not_image") from None
        if image.format not in ACCEPTED_FORMATS:  # pragma: no cover - formats= restricts it
            raise ValidationError(
                MESSAGES["bad_format"], code="bad_format", params={"format": image.format}
            )
        width, height = image.size  # from the header: no pixel decoded yet
        if width > MAX_PIXELS_SIDE or height > MAX_PIXELS_SIDE:
            raise ValidationError(
                MESSAGES["too_large"],
                code="too_large",
                params={"width": width, "height": height},
            )
        try:
            image.load()
            processed = _web_version(image)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise ValidationError(MESSAGES["bomb"], code="bomb") from None
        except (OSError, ValueError, SyntaxError, EOFError):
            # Truncated or corrupt pixel data behind a valid header.
            raise ValidationError(MESSAGES["not_image"], code="not_image") from None

    output = io.BytesIO()
    processed.save(output, format="WEBP", quality=85, method=4)
    return ContentFile(output.getvalue(), name="logo.webp")


def _web_version(image: Image.Image) -> Image.Image:
    """Upright (EXIF orientation applied), in RGB or RGBA, fitting in WEB_SIZE."""
    image = ImageOps.exif_transpose(image)
    has_alpha = image.mode in {"RGBA", "LA", "PA"} or (
        image.mode == "P" and "transparency" in image.info
    )
    if image.mode == "CMYK":
        image = image.convert("RGB")
    image = image.convert("RGBA" if has_alpha else "RGB")
    image.thumbnail(WEB_SIZE, Image.Resampling.LANCZOS)
    # A fresh image: nothing of the original's metadata (info, EXIF, XMP) is carried over.
    clean = Image.new(image.mode, image.size)
    clean.paste(image)
    return clean


class LogoField(forms.ImageField):
    """A form field for the pole's logo: checks and re-encodes the upload (``process_logo``).

    Django's own ``ImageField`` trusts Pillow's full plug-in list (SVG-like or exotic formats
    included) and keeps the original bytes; this field keeps only the re-encoded web version.
    """

    default_error_messages = {"invalid_image": MESSAGES["not_image"]}

    def to_python(self, data):
        file = forms.FileField.to_python(self, data)
        if file is None:
            return None
        processed = process_logo(file)
        # The model field stores it under a random name (``logo_upload_to``).
        return UploadedFile(
            file=processed.file,
            name="logo.webp",
            content_type="image/webp",
            size=processed.size,
        )


def logo_img(field_file: FieldFile | None, alt: str, css_class: str = "logo") -> str:
    """An ``<img>`` of a logo with its alternative text (empty string without a logo)."""
    if not field_file:
        return ""
    return format_html('<img src="{}" alt="{}" class="{}">', field_file.url, alt, css_class)


def delete_replaced_file(storage: Storage, old_name: str, new_name: str | None) -> None:
    """Remove ``old_name`` once the transaction commits, if the field no longer points to it.

    After the commit only: if the save rolls back, the database still names the old file.
    """
    if not old_name or old_name == new_name:
        return

    def delete() -> None:
        try:
            storage.delete(old_name)
        except OSError:  # the file is gone already, or the disk refuses: not the user's problem
            logger.warning("Could not delete the replaced file %s", old_name, exc_info=True)

    transaction.on_commit(delete)
