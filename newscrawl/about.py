"""The project's version and home page (the user agent names both); `newscrawl.__version__`."""

__version__ = "0.1.0"
#: Home of the project, as `[project.urls]` in pyproject.toml says.
PROJECT_URL = "https://github.com/newscrawl/newscrawl"
