"""Entry point of the installer bundle: the same as the `coder` console script."""

from coder.cli import main

if __name__ == "__main__":
    main()
