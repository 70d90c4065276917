"""Click command groups behind ``coder`` (registered in :mod:`coder.cli`).

Each module is a thin shell: parse options, call one :mod:`coder.app` service, print.
"""
