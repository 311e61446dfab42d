"""Benchmark and fault drill of the registry (make bench, make drill); never run by the tests."""
