"""Benchmark scenarios: each function takes a World and a Recorder and measures one area."""
