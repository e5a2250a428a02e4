"""The parts of `newscrawl extract`: inputs (files, folders, URLs, stdin, lists), the work done per
input (in this process or a pool), and the outputs (stdout or one file per input)."""
