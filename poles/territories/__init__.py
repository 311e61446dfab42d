"""Reference geography: regions (current and former), communes, the commune lookup and the
build of the geodata in ``fixtures/geo/``. Imports nothing of the registry or the leadership."""
