"""A request as a partner site's script sends it: a browser says the page's origin
(``Origin``) on every cross-origin request, and django-cors-headers answers with the CORS
headers only then (a same-origin request or a program needs none)."""

PARTNER_ORIGIN = "https://cress.example"
FROM_A_PARTNER = {"HTTP_ORIGIN": PARTNER_ORIGIN}
