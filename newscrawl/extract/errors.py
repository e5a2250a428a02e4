"""The one exception extraction raises: the input is not an HTML document at all."""


class ExtractionError(ValueError):
    """Raised by `extract_article` for input that is not HTML (binary data, wrong type)."""
