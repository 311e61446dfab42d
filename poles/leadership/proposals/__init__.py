"""Visitors propose a missing pole ("Proposer un pôle"): the proposer confirms their address,
then staff create an unpublished pole from the proposal, merge it into an existing pole, or
refuse it politely (``services.py``; the admin in ``admin.py``)."""
