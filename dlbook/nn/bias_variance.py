r"""Bias, variance and data mismatch: the gaps between error rates that say what to improve
next (chapter :ref:`ch-ml-strategy`).

Human-level (or Bayes) error, training error, training-dev error, dev error and test error form
a ladder; each rung's gap names a problem with its own remedies (a bigger model for avoidable
bias, more data or regularization for variance, data like the dev set for mismatch).

See Also
--------
dlbook.nn.metrics : the error rates themselves, from predicted labels.
"""

from __future__ import annotations

from dlbook._checks import real_value

__all__ = ["error_decomposition"]


def error_decomposition(bayes, train, dev, *, train_dev=None, test=None) -> dict:
    r"""Split a dev-set error into the gaps that say what to improve next.

    Parameters
    ----------
    bayes : float
        The Bayes error or its proxy (e.g. the best human-level error).
    train : float
        Error on the training set.
    dev : float
        Error on the dev set.
    train_dev : float, optional
        Error on a training-dev set (held out from the training distribution). With it, the
        train-to-dev gap splits into variance and data mismatch.
    test : float, optional
        Error on the test set; ``test - dev`` measures overfitting to the dev set.

    All errors in the same unit (fractions or percentages).

    Returns
    -------
    dict
        ``avoidable_bias`` :math:`= e_\text{train} - e_\text{Bayes}`;
        ``variance`` :math:`= e_\text{train-dev} - e_\text{train}` (or
        :math:`e_\text{dev} - e_\text{train}` without a training-dev set);
        ``data_mismatch`` :math:`= e_\text{dev} - e_\text{train-dev}` (only with ``train_dev``);
        ``dev_overfitting`` :math:`= e_\text{test} - e_\text{dev}` (only with ``test``);
        ``largest``: the name of the largest gap, the first thing to work on.

    Raises
    ------
    TypeError
        If an error is not a real number.
    ValueError
        If an error is negative or not finite.

    Notes
    -----
    The gaps telescope: with a training-dev set,
    :math:`e_\text{dev} - e_\text{Bayes} = \text{avoidable bias} + \text{variance}
    + \text{data mismatch}`.
    A negative avoidable bias means the model beats the proxy: the proxy is then no longer a
    useful estimate of the Bayes error.

    See Also
    --------
    :ref:`ch-ml-strategy` : the chapter, with the course's worked examples.

    Examples
    --------
    Human 1 %, training 8 %, dev 10 %: a 7-point avoidable bias against a 2-point variance.

    >>> error_decomposition(1.0, 8.0, 10.0)
    {'avoidable_bias': 7.0, 'variance': 2.0, 'largest': 'avoidable_bias'}
    """
    values = {"bayes": bayes, "train": train, "dev": dev, "train_dev": train_dev, "test": test}
    for name, v in values.items():
        if v is not None:
            real_value(v, name, low=0.0)
    gaps = {"avoidable_bias": float(train - bayes)}
    if train_dev is None:
        gaps["variance"] = float(dev - train)
    else:
        gaps["variance"] = float(train_dev - train)
        gaps["data_mismatch"] = float(dev - train_dev)
    if test is not None:
        gaps["dev_overfitting"] = float(test - dev)
    gaps["largest"] = max(gaps, key=gaps.get)
    return gaps
