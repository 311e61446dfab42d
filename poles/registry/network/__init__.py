"""The network of poles through their shared member organisations (``/reseau/``)."""
