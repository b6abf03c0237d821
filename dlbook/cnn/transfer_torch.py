r"""Transfer learning helpers: a small CNN for 8x8 digits, freezing, new heads, fine-tuning groups.

Transfer learning reuses the convolutional base of a network trained on task A as the feature
extractor of task B: first *freeze* the base and train only a new head, then optionally
*fine-tune* (unfreeze) the base with a smaller learning rate than the head's.

See Also
--------
:ref:`ch-training-cnns` : the chapter that pre-trains on digits 0-4 and transfers to 5-9.
"""

from __future__ import annotations

from torch import nn

from dlbook._checks import positive_int, positive_real

__all__ = ["DigitsCNN", "set_trainable", "count_parameters", "replace_head",
           "finetune_param_groups"]


class DigitsCNN(nn.Module):
    r"""A small CNN for (N, 1, 8, 8) digits: a convolutional ``base`` and a dense ``head``.

    ``base``: conv 3x3 (1 -> 16), ReLU, conv 3x3 (16 -> 32), ReLU, 2x2 max pool, conv 3x3
    (32 -> 32), ReLU, flatten to 32 * 4 * 4 = 512 features; ``head``: ``Linear(512, num_classes)``.

    Examples
    --------
    >>> import torch
    >>> net = DigitsCNN(10)
    >>> net(torch.zeros(2, 1, 8, 8)).shape, count_parameters(net)  # 160 + 4640 + 9248 + 5130
    (torch.Size([2, 10]), 19178)
    """

    def __init__(self, num_classes=10, width=16):
        super().__init__()
        self.base = nn.Sequential(
            nn.Conv2d(1, width, 3, padding=1), nn.ReLU(),
            nn.Conv2d(width, 2 * width, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(2 * width, 2 * width, 3, padding=1), nn.ReLU(), nn.Flatten())
        self.head = nn.Linear(2 * width * 16, num_classes)

    def forward(self, x):
        if x.ndim != 4 or tuple(x.shape[1:]) != (1, 8, 8):
            raise ValueError(f"DigitsCNN expects (N, 1, 8, 8) input, got {tuple(x.shape)}")
        return self.head(self.base(x))


def set_trainable(module, trainable):
    """Set ``requires_grad`` on every parameter of ``module``; return how many tensors changed.

    A frozen parameter gets no gradient, so an optimizer leaves it untouched.

    Examples
    --------
    >>> net = DigitsCNN(10)
    >>> set_trainable(net.base, False), count_parameters(net, trainable_only=True)
    (6, 5130)
    """
    if not isinstance(module, nn.Module):
        raise TypeError(f"module must be a torch.nn.Module, got {type(module).__name__}")
    changed = 0
    for p in module.parameters():
        changed += p.requires_grad != bool(trainable)
        p.requires_grad_(bool(trainable))
    return changed


def count_parameters(module, trainable_only=False):
    """Number of parameters (only those with ``requires_grad`` if ``trainable_only``).

    Examples
    --------
    >>> count_parameters(nn.Linear(3, 2))
    8
    """
    return sum(p.numel() for p in module.parameters() if p.requires_grad or not trainable_only)


def replace_head(model, num_classes):
    """Give ``model`` (with an ``nn.Linear`` ``head``) a new head for ``num_classes`` classes.

    Examples
    --------
    >>> net = replace_head(DigitsCNN(5), 3)
    >>> net.head
    Linear(in_features=512, out_features=3, bias=True)
    """
    if not isinstance(getattr(model, "head", None), nn.Linear):
        raise TypeError("model must have a `head` attribute that is an nn.Linear")
    num_classes = positive_int(num_classes, "num_classes")
    old = model.head
    model.head = nn.Linear(old.in_features, num_classes).to(old.weight.device, old.weight.dtype)
    return model


def finetune_param_groups(model, base_lr, head_lr):
    """Optimizer parameter groups: the base at ``base_lr`` (smaller), the head at ``head_lr``.

    Examples
    --------
    >>> import torch
    >>> opt = torch.optim.Adam(finetune_param_groups(DigitsCNN(5), 1e-4, 1e-3))
    >>> [g["lr"] for g in opt.param_groups]
    [0.0001, 0.001]
    """
    base_lr, head_lr = positive_real(base_lr, "base_lr"), positive_real(head_lr, "head_lr")
    return [{"params": list(model.base.parameters()), "lr": base_lr},
            {"params": list(model.head.parameters()), "lr": head_lr}]
