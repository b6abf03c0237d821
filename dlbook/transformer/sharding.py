r"""Memory per device when a model's training state is sharded (ZeRO stages, FSDP).

Mixed-precision training with Adam keeps, per parameter, a 16-bit weight (2 bytes), a 16-bit
gradient (2 bytes) and the optimizer state in 32 bits: a master copy of the weight, the first
and the second moment (12 bytes). With :math:`\Psi` parameters that is :math:`16\Psi` bytes,
and plain data parallelism keeps all of it on every device. ZeRO shards it over the :math:`N`
data-parallel devices, one more part at each stage:

===========  ===============================================
stage        bytes per device
===========  ===============================================
0 (DDP)      :math:`(2 + 2 + 12)\,\Psi`
1            :math:`(2 + 2)\,\Psi + 12\,\Psi / N`
2            :math:`2\,\Psi + (2 + 12)\,\Psi / N`
3 (= FSDP)   :math:`(2 + 2 + 12)\,\Psi / N`
===========  ===============================================

Activations, temporary buffers and fragmentation come on top.

References
----------
S. Rajbhandari et al., "ZeRO: Memory Optimizations Toward Training Trillion Parameter Models",
SC 2020 (figure 1 uses :math:`\Psi = 7.5\text{B}`, :math:`N = 64`).

See Also
--------
dlbook.transformer.data_parallel_torch.fsdp_gradients : FSDP run for real.
:ref:`ch-distributed` : the chapter.
"""

from __future__ import annotations

from dlbook import _checks

__all__ = ["zero_memory_per_device"]


def zero_memory_per_device(n_params, world_size, stage, param_bytes=2, grad_bytes=2,
                           optimizer_bytes=12) -> float:
    r"""Bytes of weights, gradients and optimizer state per device at a ZeRO ``stage``.

    Parameters
    ----------
    n_params : int
        :math:`\Psi`.
    world_size : int
        :math:`N`, the devices the state is sharded over.
    stage : {0, 1, 2, 3}
        0: nothing sharded (DDP); 1: optimizer state; 2: and gradients; 3: and weights (FSDP).
    param_bytes, grad_bytes, optimizer_bytes : float
        Bytes per parameter of each part (defaults: 16-bit weights and gradients, Adam's fp32
        master weight and two moments).

    Returns
    -------
    float

    Raises
    ------
    ValueError
        For an unknown stage or a non-positive count.

    Examples
    --------
    The ZeRO paper's example, 7.5 billion parameters on 64 devices, in GB (1e9 bytes):

    >>> [round(zero_memory_per_device(7.5e9, 64, s) / 1e9, 1) for s in range(4)]
    [120.0, 31.4, 16.6, 1.9]
    """
    psi = _checks.positive_real(n_params, "n_params")
    n = _checks.positive_int(world_size, "world_size")
    _checks.one_of(stage, "stage", (0, 1, 2, 3))
    p = _checks.real_value(param_bytes, "param_bytes", low=0.0)
    g = _checks.real_value(grad_bytes, "grad_bytes", low=0.0)
    o = _checks.real_value(optimizer_bytes, "optimizer_bytes", low=0.0)
    sharded = {0: 0.0, 1: o, 2: g + o, 3: p + g + o}[stage]
    return (p + g + o - sharded) * psi + sharded * psi / n
