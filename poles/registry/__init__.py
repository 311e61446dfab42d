"""The registry itself: poles, sectors, objectives, source documents; the public pages
(directory, pole, region, map), the open data, the search and the registry's admin. Imports
the reference geography (``poles.territories``), never the leadership."""
