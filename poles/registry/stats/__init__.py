"""The statistics page (``/statistiques/``): figures of the published registry, each as an
accessible SVG chart, a table with the same numbers and a CSV file."""
