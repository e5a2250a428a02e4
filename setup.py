"""Build shim for `scrapyd-deploy`, which packs the project with `python setup.py bdist_egg`.

All metadata lives in pyproject.toml (including the `scrapy` entry point scrapyd reads); without
this file scrapyd-deploy would write its own setup.py, whose settings pyproject.toml overrides.
"""

from setuptools import setup

setup()
