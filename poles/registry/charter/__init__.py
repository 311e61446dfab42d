"""The « Charte de la démarche collective PTCE » and its signatories (poles and networks), the
one place that says who signed it and when (``/charte/``, the directory's « charter » filter)."""
