"""The torch twins of IoU and NMS: the brute-force oracles' results on tensors, the NumPy
reference's errors, inputs left alone, and the same result on a GPU."""

import numpy as np
import pytest
import torch

from dlbook.cnn import boxes_torch as BT
from tests.cnn.box_oracles import iou_oracle, nms_oracle, random_boxes


@pytest.mark.parametrize("seed", range(3))
def test_iou_matrix_matches_oracle(seed):
    rng = np.random.default_rng(seed)
    a, b = random_boxes(rng, 17), random_boxes(rng, 9, grid=True)
    expect = np.array([[iou_oracle(p, q) for q in b] for p in a])
    got = BT.box_iou(torch.tensor(a), torch.tensor(b))
    assert got.dtype == torch.float64
    np.testing.assert_allclose(got.numpy(), expect, rtol=1e-12, atol=1e-15)
    ac = BT.box_convert(torch.tensor(a), "xyxy", "cxcywh")
    bc = BT.box_convert(torch.tensor(b), "xyxy", "cxcywh")
    np.testing.assert_allclose(BT.box_iou(ac, bc, fmt="cxcywh").numpy(), expect, rtol=1e-12,
                               atol=1e-15)
    assert BT.box_iou(torch.zeros(0, 4), torch.zeros(3, 4)).shape == (0, 3)


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("thr", [0.0, 0.5, 1.0])
def test_nms_matches_oracle(seed, thr):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 30))
    b = random_boxes(rng, n, grid=seed % 2 == 0)
    s = np.round(rng.random(n), 1)                                     # many exact score ties
    assert BT.nms(torch.tensor(b), torch.tensor(s), thr).tolist() == nms_oracle(b, s, thr)
    labels = rng.integers(0, 3, size=n)
    got = BT.batched_nms(torch.tensor(b), torch.tensor(s), torch.tensor(labels), thr)
    assert got.tolist() == nms_oracle(b, s, thr, labels)
    assert BT.nms(torch.zeros(0, 4), torch.zeros(0), 0.5).tolist() == []


@pytest.mark.parametrize("bad, match", [
    (np.zeros((3, 5)), r"shape \(N, 4\), got \(3, 5\)"),
    ([[0, 0, 1, 1], [3, 0, 2, 1]], r"boxes\[1\] = \[3.0, 0.0, 2.0, 1.0\] has x2 < x1"),
    ([[0, 0, np.nan, 1]], "non-finite"),
])
def test_bad_boxes_raise(bad, match):
    with pytest.raises(ValueError, match=match):
        BT.box_iou(torch.as_tensor(np.asarray(bad, dtype=float)), torch.tensor([[0.0, 0, 1, 1]]))


def test_bad_arguments():
    with pytest.raises(TypeError, match="torch.Tensor"):
        BT.box_area(np.zeros((1, 4)))
    with pytest.raises(ValueError, match="fmt must be one of"):
        BT.box_area(torch.zeros(1, 4), fmt="xywh")
    with pytest.raises(ValueError, match=r"iou_threshold must be <= 1.0"):
        BT.nms(torch.zeros(1, 4), torch.ones(1), 1.5)


def test_torch_keeps_device_and_does_not_modify_inputs():
    b = torch.tensor([[0.0, 0, 10, 10], [1, 1, 10, 10]])
    s = torch.tensor([0.8, 0.9])
    before = b.clone()
    keep = BT.nms(b, s, 0.5)
    assert keep.tolist() == [1] and keep.device == b.device
    assert torch.equal(b, before)


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_torch_on_gpu_matches_cpu():
    rng = np.random.default_rng(3)
    b, s = random_boxes(rng, 50), rng.random(50)
    cpu = BT.nms(torch.tensor(b), torch.tensor(s), 0.5)
    gpu = BT.nms(torch.tensor(b).cuda(), torch.tensor(s).cuda(), 0.5)
    assert gpu.device.type == "cuda" and gpu.cpu().tolist() == cpu.tolist()
