"""``python -m coder`` behaves exactly like the ``coder`` console script."""

from coder.cli import main

if __name__ == "__main__":
    main()
