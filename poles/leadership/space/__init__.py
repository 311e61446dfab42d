"""The pole leaders' space (``/espace/``): the poles a leader runs, each one's profile, member
organisations and recent changes; ``get_pole_for_leader`` guards every page."""
