"""Tests of dlbook.rl."""
