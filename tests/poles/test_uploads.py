"""Logo uploads: only real PNG, JPEG or WebP images within limits, re-encoded, old files removed."""

import io
import struct
import zlib
from html import unescape

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from poles.leadership.uploads import process_logo
from tests.factories import image_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def upload(content: bytes, name: str = "logo.png", content_type: str = "image/png"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def png_header_only(width: int, height: int) -> bytes:
    """A PNG whose header announces ``width`` × ``height`` pixels, with almost no data: what a
    decompression bomb or an oversized image looks like before its pixels are decoded."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )


def refused(content: bytes, name: str = "logo.png") -> str:
    with pytest.raises(ValidationError) as error:
        process_logo(upload(content, name))
    return " ".join(error.value.messages)


def test_png_is_re_encoded_as_webp_and_resized_to_a_web_size():
    result = process_logo(upload(image_bytes("PNG", (1200, 600))))
    image = Image.open(io.BytesIO(result.read()))
    assert image.format == "WEBP"
    assert image.size == (400, 200)


@pytest.mark.parametrize("fmt", ["JPEG", "WEBP"])
def test_jpeg_and_webp_are_accepted(fmt):
    result = process_logo(upload(image_bytes(fmt), "logo.bin", "application/octet-stream"))
    assert Image.open(io.BytesIO(result.read())).format == "WEBP"


def test_transparency_is_kept():
    result = process_logo(upload(image_bytes("PNG", (50, 50), mode="RGBA")))
    image = Image.open(io.BytesIO(result.read()))
    assert image.mode == "RGBA"
    assert image.getpixel((10, 10))[3] == 128


def test_palette_and_cmyk_images_are_converted():
    output = io.BytesIO()
    Image.new("CMYK", (30, 30)).save(output, format="JPEG")
    assert Image.open(io.BytesIO(process_logo(upload(output.getvalue())).read())).mode == "RGB"
    output = io.BytesIO()
    Image.new("P", (30, 30)).save(output, format="PNG", transparency=0)
    assert Image.open(io.BytesIO(process_logo(upload(output.getvalue())).read())).mode == "RGBA"


def test_metadata_is_stripped():
    exif = Image.Exif()
    exif[0x010E] = "secret description"  # ImageDescription
    exif[0x0112] = 1
    output = io.BytesIO()
    Image.new("RGB", (40, 40)).save(output, format="JPEG", exif=exif.tobytes())
    result = process_logo(upload(output.getvalue(), "photo.jpg", "image/jpeg")).read()
    assert b"secret description" not in result
    assert not Image.open(io.BytesIO(result)).getexif()


def test_text_file_named_png_is_refused():
    assert "n'est pas une image PNG, JPEG ou WebP" in refused(b"hello, this is text", "logo.png")


def test_svg_with_a_script_is_refused():
    svg = (
        b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
        b"<script>alert(document.cookie)</script></svg>"
    )
    message = refused(svg, "logo.svg")
    assert "SVG ne sont pas acceptés" in message


def test_gif_is_refused_even_though_it_is_an_image():
    output = io.BytesIO()
    Image.new("RGB", (10, 10)).save(output, format="GIF")
    assert "PNG, JPEG ou WebP" in refused(output.getvalue(), "logo.png")


def test_ten_megabytes_are_refused_before_decoding():
    assert "dépasse 2 Mo" in refused(b"\x89PNG" + b"\x00" * (10 * 1024 * 1024))


def test_image_larger_than_4000_pixels_is_refused():
    output = io.BytesIO()
    Image.new("L", (5000, 5000)).save(output, format="PNG")
    assert len(output.getvalue()) < 2 * 1024 * 1024
    assert "5000 × 5000 pixels" in refused(output.getvalue())


def test_decompression_bomb_is_refused_without_decoding():
    message = refused(png_header_only(30000, 30000))
    assert "bombe de décompression" in message


def test_truncated_image_is_refused():
    data = image_bytes("PNG", (300, 300))
    assert "n'est pas une image" in refused(data[: len(data) // 2])


# Through the leaders' space


def post_logo(client, pole, file, **extra):
    from tests.poles.test_space import form_data

    data = form_data(pole, **extra)
    if file is not None:
        data["logo"] = file
    return client.post(reverse("space:edit-pole", args=[pole.slug]), data)


def test_leader_uploads_a_logo_shown_on_the_public_page(
    alice, pole, media_root, django_capture_on_commit_callbacks
):
    client = Client()
    client.force_login(alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = post_logo(client, pole, upload(image_bytes("PNG", (800, 800)), "../../evil.png"))
    assert response.status_code == 302
    pole.refresh_from_db()
    assert pole.logo.name.startswith("logos/") and pole.logo.name.endswith(".webp")
    assert "evil" not in pole.logo.name
    stored = media_root / pole.logo.name
    assert stored.exists()
    assert Image.open(stored).size == (400, 400)
    html = unescape(Client().get(pole.get_absolute_url()).content.decode())
    assert f'src="/media/{pole.logo.name}"' in html
    assert f'alt="Logo de {pole.name}"' in html
    assert pole.logo.name in client.get(reverse("space:my-poles")).content.decode()


def test_replacing_the_logo_removes_the_old_file(
    alice, pole, media_root, django_capture_on_commit_callbacks
):
    client = Client()
    client.force_login(alice)
    with django_capture_on_commit_callbacks(execute=True):
        post_logo(client, pole, upload(image_bytes("PNG")))
    pole.refresh_from_db()
    first = media_root / pole.logo.name
    assert first.exists()
    with django_capture_on_commit_callbacks(execute=True):
        assert post_logo(client, pole, upload(image_bytes("JPEG"), "b.jpg")).status_code == 302
    pole.refresh_from_db()
    assert not first.exists()
    assert (media_root / pole.logo.name).exists()

    second = media_root / pole.logo.name
    with django_capture_on_commit_callbacks(execute=True):
        assert post_logo(client, pole, None, **{"logo-clear": "on"}).status_code == 302
    pole.refresh_from_db()
    assert not pole.logo and not second.exists()


def test_hostile_upload_is_refused_with_a_message_and_nothing_stored(alice, pole, media_root):
    client = Client()
    client.force_login(alice)
    response = post_logo(client, pole, upload(b"<?php system($_GET['c']); ?>", "logo.png"))
    assert response.status_code == 400
    assert "n'est pas une image PNG, JPEG ou WebP" in unescape(response.content.decode())
    pole.refresh_from_db()
    assert not pole.logo
    assert not (media_root / "logos").exists() or not any((media_root / "logos").iterdir())


def test_profile_form_is_multipart(alice, pole):
    client = Client()
    client.force_login(alice)
    html = client.get(reverse("space:edit-pole", args=[pole.slug])).content.decode()
    assert 'enctype="multipart/form-data"' in html
    assert 'accept="image/png,image/jpeg,image/webp"' in html
