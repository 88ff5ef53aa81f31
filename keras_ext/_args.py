"""Argument checks shared by keras_ext's public functions.

The checks themselves are seqprep's (``seqprep._args``, the one documented cross-package
entry, decision D1): one template for "argument, rule, value received, fix". This module
re-raises their failures as keras_ext's own leaves, which subclass seqprep's, so a caller
catches them as ``keras_ext.ArgumentError`` or ``seqprep.ArgumentError`` alike.
"""

from __future__ import annotations

from typing import Any

import keras

import seqprep
from seqprep._args import choice as _choice
from seqprep._args import integer, plural, show

from ._errors import ArgumentError, ArgumentTypeError

__all__ = ["check_model", "choice", "plural", "positive_int", "show"]


def positive_int(name: str, value: Any, *, fix: str = "") -> int:
    """``value`` as a positive ``int`` (seqprep's ``integer`` rule), or raise keras_ext's errors.

    Examples
    --------
    >>> positive_int("epochs", 0)
    Traceback (most recent call last):
    ...
    keras_ext.ArgumentError: `epochs` must be a positive integer. Received: epochs=0.
    """
    try:
        return integer(name, value, minimum=1, fix=fix)
    except seqprep.ArgumentTypeError as exc:
        # the same rule, in the words keras_ext has always used: "a positive integer"
        text = str(exc).replace("must be an integer >= 1.", "must be a positive integer.", 1)
        raise ArgumentTypeError(text) from None
    except seqprep.ArgumentError as exc:
        raise ArgumentError(str(exc)) from None


def check_model(model: Any, fix: str = "") -> keras.Model:
    """Return ``model`` if it is a ``keras.Model``, else raise the one "must be a keras.Model" error."""
    if not isinstance(model, keras.Model):
        raise ArgumentTypeError(
            f"`model` must be a keras.Model. Received: model={show(model)} of type "
            f"{type(model).__name__}.{(' ' + fix) if fix else ''}"
        )
    return model


def choice(name: str, value: Any, options: tuple) -> Any:
    """``value`` if it is one of ``options`` (seqprep's ``choice`` rule), else keras_ext's error."""
    try:
        return _choice(name, value, options)
    except seqprep.ArgumentError as exc:
        raise ArgumentError(str(exc)) from None
