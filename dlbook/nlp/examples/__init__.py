"""Chapter fixtures of Part 3: small models that one chapter trains (see CONTRIBUTING.md)."""
