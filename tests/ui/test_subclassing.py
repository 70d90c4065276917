"""The base classes whose methods each subclass must define refuse, when the subclass is
made, one that leaves a method out: the base declares them without a body to fall into."""

from __future__ import annotations

import pytest

from coder.ui.intake_forms import IntakeForm
from coder.ui.undo import _Command


def test_an_undo_command_without_revert_is_refused_when_defined() -> None:
    with pytest.raises(TypeError, match="must define revert"):

        class OnlyApply(_Command):
            def apply(self) -> None:
                pass


def test_an_intake_form_without_collect_is_refused_when_defined() -> None:
    with pytest.raises(TypeError, match="must define collect"):

        class NoCollect(IntakeForm):
            pass
