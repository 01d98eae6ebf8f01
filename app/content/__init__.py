"""Content that ships with the app: the public anti-fraud tips and the quiz question bank."""
