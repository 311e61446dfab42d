"""What every Atom feed of the site says beside its entries (``OpenFeed``)."""

from __future__ import annotations

from django.contrib.syndication.views import Feed


class OpenFeed(Feed):
    """Django's feed without ``Last-Modified``, and open to every origin.

    Django dates a feed by its newest entry; but an entry leaves it (a pole unpublished) or
    joins it below the newest (an old pole published) without that date changing, so a
    reader revalidating with ``If-Modified-Since`` alone was told « 304 » and kept a stale
    copy. The ETag, computed from the body (``ConditionalGetMiddleware``), is exact. Public
    data without credentials: ``Access-Control-Allow-Origin: *``, so that a partner site's
    script shows a feed (its 304 too), by the feeds' addresses in ``ptce_site.cors_settings``.
    """

    def __call__(self, request, *args, **kwargs):
        response = super().__call__(request, *args, **kwargs)
        del response["Last-Modified"]
        return response
