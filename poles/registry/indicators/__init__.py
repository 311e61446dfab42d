"""A pole's yearly indicators (issue #15): the model, the member counts as of 31 December,
the public trend charts, the statistics' aggregates, the CSV and the admin's review."""
