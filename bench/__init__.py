"""Benchmark and fault drill of the registry (``make bench``, ``make drill``): beside the
Makefile, not part of the installed package, never run by the tests (which only borrow
``load.Gunicorn`` to serve the site as it is deployed).

``python -m bench [--seconds N] [--connections N] [--regenerate] [--data-only]`` runs the
benchmark (``run.py``) and ``python -m bench.drill`` the drill (``drill.py``), both with
``DJANGO_SETTINGS_MODULE=ptce_site.settings`` and a ``DATABASE_URL`` of their own (the
Makefile sets them).
"""
