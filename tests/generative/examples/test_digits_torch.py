"""The digits fixtures of Part 5: the split, sample ranges, and features."""

import numpy as np
import torch

from dlbook.generative.examples.digits_torch import (
    classifier_features,
    dcgan_samples,
    diffusion_samples,
    load_digits_split,
    train_digits_diffusion,
    train_digits_vae,
    train_feature_classifier,
    vae_samples,
)
from dlbook.generative.gan_torch import DCGenerator


def test_split_is_stratified_and_disjoint():
    s = load_digits_split()
    assert np.bincount(s.y_test.numpy()).min() >= 43                # 25 % of each class
    train = {tuple(r) for r in s.counts_train.int().tolist()}
    assert sum(tuple(r) in train for r in s.counts_test.int().tolist()) < 10   # few duplicates


def test_samples_are_intensities():
    s = load_digits_split()
    g = torch.Generator().manual_seed(0)
    vae = train_digits_vae(s.counts_train[:128], epochs=2)
    model, schedule = train_digits_diffusion(s.counts_train[:128], s.y_train[:128], steps=5)
    for images in (vae_samples(vae, 5, g), dcgan_samples(DCGenerator(), 5, g),
                   diffusion_samples(model, schedule, torch.arange(5), 2.0, n_steps=3,
                                     generator=g)):
        assert images.shape == (5, 64) and images.min() >= 0 and images.max() <= 1


def test_feature_classifier_separates_the_classes():
    s = load_digits_split()
    net = train_feature_classifier(s.counts_train, s.y_train)
    with torch.no_grad():
        acc = (net(s.counts_test.view(-1, 1, 8, 8) / 16).argmax(1) == s.y_test).float().mean()
    assert acc > 0.9
    f = classifier_features(net, s.counts_test / 16)
    assert f.shape == (450, 32) and np.isfinite(f).all()
