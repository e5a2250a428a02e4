"""newscrawl: a Scrapy crawler for news portals that extracts articles as structured data."""

from newscrawl.items import Article, RelatedLink

__all__ = ["Article", "RelatedLink", "__version__"]
__version__ = "0.1.0"
