"""The build's parameters: tolerances and precision of the geodata."""

# A town-hall point further than this from its commune's polygon is wrong (some sit in
# another department, one of Guadeloupe on La Réunion): a point inside the polygon replaces it.
TOWN_HALL_TOLERANCE_KM = 1.0
# Holes of the national coverage smaller than this are slivers between communes and go to a
# neighbouring department; larger ones are real (Llívia, a Spanish enclave in the
# Pyrénées-Orientales) and stay.
SLIVER_KM2 = 1.0
SIMPLIFY_TOLERANCE = 0.008  # degrees (about 600-900 m), for the whole coverage at once
GRID = 0.0001  # coordinates on a 4-decimal grid (about 10 m)
COMMUNE_POINT_DECIMALS = 5  # about 1 m
# Tolerance of the check "every commune point lies in its (simplified) region".
REGION_TOLERANCE_DEG = 0.01
