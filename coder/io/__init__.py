"""Reading and writing files: transcripts, codes tables, scheme files, exchange formats.

Each reader takes a path (or bytes) plus options and returns domain objects; errors are
:class:`coder.domain.errors.CoderError` naming the file and, where it applies, the line.
"""
