"""What every Atom feed of the site says beside its entries (``OpenFeed``)."""

from __future__ import annotations

from django.contrib.syndication.views import Feed


class OpenFeed(Feed):
    """Django's feed without ``Last-Modified``.

    Django dates a feed by its newest entry; but an entry leaves it (a pole unpublished) or
    joins it below the newest (an old pole published) without that date changing, so a
    reader revalidating with ``If-Modified-Since`` alone was told « 304 » and kept a stale
    copy. The ETag, computed from the body (``ConditionalGetMiddleware``), is exact. Nothing
    here opens a feed to other origins: ``ptce_site.cors_settings`` lists the feeds' addresses
    (``Access-Control-Allow-Origin: *``, their 304s too) with the rest of the open data.
    """

    def __call__(self, request, *args, **kwargs):
        response = super().__call__(request, *args, **kwargs)
        del response["Last-Modified"]
        return response
