"""Machine pre-screening: a text classifier trained on a lab's own codes.

Pure computation (numpy, scikit-learn); no database, no Qt. :mod:`coder.app.screening`
reads the project, builds :class:`~coder.screening.model.UnitText` lists and stores what
the model suggests. See docs/screening.md.
"""
