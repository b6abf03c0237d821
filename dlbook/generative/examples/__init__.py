"""Chapter fixtures of Part 5: the digits generators that several pages and a benchmark train."""
