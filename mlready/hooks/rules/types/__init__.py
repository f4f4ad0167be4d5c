"""MLR4xx typing and code quality."""
