"""Custom Scrapy signals sent by newscrawl components; connect with `crawler.signals.connect`.

item_written
    Sent by every newscrawl feed exporter (json, jsonlines, csv, txt) once one item's record has
    been written to the feed file and flushed to the operating system (and fsync'ed when
    `NEWSCRAWL_FEED_FSYNC` is on). Unlike Scrapy's `item_scraped`, which fires before any feed
    has the item, this one means "the record is in the file": a process killed afterwards keeps
    it. Components that must not record an item as done before it is safely in a feed (the
    incremental crawl state) listen to this signal, not to `item_scraped`.

    Keyword arguments:

    * ``item`` – the item as it left the pipelines (an `Article` or a dict);
    * ``spider`` – the running spider;
    * ``crawler`` – the crawler;
    * ``uri`` – the feed URI as Scrapy resolved it (`%(name)s`/`%(time)s` filled in), or the
      file name when the exporter is used outside Scrapy's feed exports (None when unknown);
    * ``format`` – the feed format key (`jsonlines`, `csv`, ...).

    The database store (`NEWSCRAWL_DATABASE`, newscrawl.store.pipeline) sends it too, with
    ``format`` ``"database"``, once the transaction holding the item's row is committed.

    With several feeds configured the signal is sent once per feed per item. Handlers run
    synchronously in the export path; keep them short and do not raise (errors are logged by
    `send_catch_log` and do not stop the export).
"""

from __future__ import annotations

item_written = object()
