"""Date formats of the site's languages where Django's own do not fit (``FORMAT_MODULE_PATH``)."""
