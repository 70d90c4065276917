"""Pure domain model: no Qt, no SQL, no file formats.

Everything here is plain typed dataclasses and functions so that importers, the store,
statistics and the UI all speak the same vocabulary and can be tested headless.
"""
