"""Chapter fixtures of Part 1: worked examples and toy models that one chapter uses.

Library code lives one level up, in :mod:`dlbook.nn`; these modules only set up what a page
needs (the course's 2-2-2 network, the ticket model, the Playground networks, the optimizer
test surfaces).
"""
