"""Development tools, apart from what a crawl runs: the portal server, the evaluation, the demo
portal."""
