"""Only for eggs: scrapyd-client's `scrapyd-deploy` runs `setup.py bdist_egg`.
Everything (packages, entry points, including the `scrapy` settings entry point
scrapyd reads) comes from pyproject.toml."""

from setuptools import setup

setup()
