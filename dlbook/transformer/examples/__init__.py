"""Chapter fixtures of Part 4: data and toy tasks that one chapter builds."""
