"""Part package: see the book's chapters for what lives here."""
