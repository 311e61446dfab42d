"""Reference geography: regions (current and former), their outlines for the maps (in tables
of their own, rounded and labelled when loaded: ``outlines.py``), communes, the commune lookup
and the build of the geodata in ``fixtures/geo/``. Imports nothing of the registry or the
leadership."""
