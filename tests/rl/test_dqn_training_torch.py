"""Short seeded DQN training runs on CartPole-v1, greedy evaluation, and checkpoints."""

import os

import gymnasium as gym
import numpy as np
import pytest
import torch

import dlbook.rl.dqn_training_torch as dqn_training
from dlbook.io import CheckpointError
from dlbook.nn.checkpoint_torch import load_checkpoint as load_torch_checkpoint
from dlbook.rl.dqn_torch import DQNConfig, QNetwork, td_targets
from dlbook.rl.dqn_training_torch import (
    evaluate,
    exploration_rate,
    load_checkpoint,
    save_checkpoint,
    train_dqn,
)
from dlbook.rl.replay import ReplayBuffer

CARTPOLE = lambda: gym.make("CartPole-v1")  # noqa: E731


@pytest.fixture
def one_thread():
    """Run with one torch thread (fast for tiny nets, repeatable), then restore the setting."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


# --- training and evaluation on CartPole ---------------------------------------------------

SMOKE = DQNConfig(total_steps=2_000, learning_starts=500, train_every=4, gradient_steps=4,
                  hidden=(64, 64), eps_decay_steps=1_500, target_every=100, lr=1e-3, eval_every=0)


def test_short_training_run_beats_the_random_policy(one_thread):
    net, hist = train_dqn(CARTPOLE, SMOKE, seed=0, device="cpu")
    trained = evaluate(net, CARTPOLE, episodes=20, seed=500, device="cpu")
    random_net = QNetwork(4, 2, (64, 64))
    untrained = evaluate(random_net, CARTPOLE, episodes=20, seed=500, device="cpu")
    rng = np.random.default_rng(0)
    coin = []
    for i in range(20):  # the uniformly random policy on the same starts
        env = CARTPOLE()
        env.reset(seed=500 + i)
        total, done = 0.0, False
        while not done:
            _, r, term, trunc, _ = env.step(int(rng.integers(2)))
            total, done = total + r, term or trunc
        coin.append(total)
    assert hist.episode_end_step[-1] <= SMOKE.total_steps
    assert trained.mean() > 3 * max(np.mean(coin), untrained.mean()), (
        f"trained {trained.mean():.1f} vs random {np.mean(coin):.1f}, "
        f"untrained {untrained.mean():.1f}")


def test_training_is_deterministic_given_the_seed(one_thread):
    cfg = DQNConfig(total_steps=600, learning_starts=200, train_every=50, gradient_steps=5,
                    hidden=(16,), eval_every=300, eval_episodes=2)
    a, ha = train_dqn(CARTPOLE, cfg, seed=3, device="cpu")
    b, hb = train_dqn(CARTPOLE, cfg, seed=3, device="cpu")
    c, _ = train_dqn(CARTPOLE, cfg, seed=4, device="cpu")
    for (name, x), y in zip(a.state_dict().items(), b.state_dict().values()):
        assert torch.equal(x, y), f"{name} differs between two runs with seed 3"
    np.testing.assert_array_equal(ha.episode_returns, hb.episode_returns)
    np.testing.assert_array_equal(ha.losses, hb.losses)
    assert not all(torch.equal(x, y) for x, y in zip(a.parameters(), c.parameters()))


def test_time_limit_truncation_is_not_stored_as_termination(monkeypatch):
    seen, stored = [], []

    class Recorder(gym.Wrapper):
        def step(self, action):
            out = super().step(action)
            seen.append(bool(out[2]))
            return out

    class RecordingBuffer(ReplayBuffer):
        def add(self, obs, action, reward, next_obs, terminated):
            stored.append(terminated)
            super().add(obs, action, reward, next_obs, terminated)

    monkeypatch.setattr(dqn_training, "ReplayBuffer", RecordingBuffer)
    make = lambda: Recorder(gym.make("CartPole-v1", max_episode_steps=12))  # noqa: E731
    cfg = DQNConfig(total_steps=300, learning_starts=300, eval_every=0)
    _, hist = train_dqn(make, cfg, seed=0, device="cpu")
    assert stored == seen
    assert (hist.episode_returns == 12).any(), "no episode was truncated; test is vacuous"
    assert not all(stored[i] for i in np.asarray(hist.episode_end_step) - 1), (
        "a truncated episode was stored as terminated")


def test_batched_evaluation_equals_one_episode_at_a_time():
    torch.manual_seed(0)
    net = QNetwork(4, 2, (16,))
    batched = evaluate(net, CARTPOLE, episodes=5, seed=42, device="cpu")
    for i in range(5):
        env = CARTPOLE()
        obs, _ = env.reset(seed=42 + i)
        total, done = 0.0, False
        while not done:
            with torch.no_grad():
                a = int(net(torch.as_tensor(obs)[None]).argmax())
            obs, r, term, trunc, _ = env.step(a)
            total, done = total + r, term or trunc
        assert batched[i] == total, f"episode {i}: batched {batched[i]} vs single {total}"


# --- checkpoints ---------------------------------------------------------------------------

def test_checkpoint_round_trip_and_no_temp_files(tmp_path):
    torch.manual_seed(0)
    net, other = QNetwork(4, 2, (8,)), QNetwork(4, 2, (8,))
    path = tmp_path / "q.pt"
    save_checkpoint(path, net, steps=123)
    ckpt = load_checkpoint(path, other)
    assert ckpt["steps"] == 123
    x = torch.randn(3, 4)
    assert torch.equal(net(x), other(x))
    assert os.listdir(tmp_path) == ["q.pt"]


def test_failed_save_keeps_the_old_checkpoint(tmp_path, monkeypatch):
    path = tmp_path / "q.pt"
    net = QNetwork(4, 2, (8,))
    save_checkpoint(path, net, steps=1)
    old = path.read_bytes()

    def broken_save(obj, f):
        f.write(b"half a file")
        raise OSError("disk full")

    monkeypatch.setattr(torch, "save", broken_save)
    with pytest.raises(OSError, match="disk full"):
        save_checkpoint(path, net, steps=2)
    assert path.read_bytes() == old
    assert os.listdir(tmp_path) == ["q.pt"]


def test_checkpoint_gives_back_the_config(tmp_path):
    cfg = DQNConfig(total_steps=1234, hidden=(8,), lr=1e-3, target_update="soft")
    path = tmp_path / "q.pt"
    save_checkpoint(path, QNetwork(4, 2, cfg.hidden), cfg, seed=7)
    meta = load_checkpoint(path, QNetwork(4, 2, cfg.hidden))
    assert meta["config"] == cfg, f"saved {cfg}, loaded {meta['config']}"
    assert isinstance(meta["config"].hidden, tuple)
    assert meta["seed"] == 7 and set(meta) == {"config", "seed"}


def test_checkpoint_is_readable_by_the_general_loader(tmp_path):
    net = QNetwork(4, 2, (8,))
    path = tmp_path / "q.pt"
    save_checkpoint(path, net, steps=5)
    state, meta = load_torch_checkpoint(path, expected=net.state_dict())
    assert meta == {"steps": 5}
    for key, value in net.state_dict().items():
        assert torch.equal(state[key], value), f"{key} differs after the round trip"


def test_loading_into_another_architecture_names_the_mismatch(tmp_path):
    path = tmp_path / "q.pt"
    save_checkpoint(path, QNetwork(4, 2, (8,)))
    with pytest.raises(CheckpointError, match=r"q\.pt does not fit the model: .*shape"):
        load_checkpoint(path, QNetwork(4, 2, (16,)))


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda p: save_checkpoint(p, QNetwork(4, 2, (8,)), {"lr": 0.1}), TypeError, "DQNConfig"),
        (lambda p: save_checkpoint(p, QNetwork(4, 2, (8,)), config=1), TypeError, "reserved"),
        (lambda p: save_checkpoint(p, QNetwork(4, 2, (8,)), when=object()), TypeError, "JSON"),
        (lambda p: load_checkpoint(p / "missing.pt", QNetwork(4, 2, (8,))), FileNotFoundError,
         "missing.pt"),
    ],
)
def test_bad_checkpoint_arguments_are_refused(tmp_path, call, error, match):
    with pytest.raises(error, match=match):
        call(tmp_path)


class _NotAWeight:
    pass


def test_loading_refuses_arbitrary_objects(tmp_path):
    path = tmp_path / "evil.pt"
    torch.save({"state_dict": {}, "payload": _NotAWeight()}, path)
    with pytest.raises(CheckpointError, match="(?i)weights_only|unpickl"):
        load_checkpoint(path, QNetwork(4, 2, (8,)))


def test_exploration_rate_is_random_while_the_buffer_fills_then_linear():
    cfg = DQNConfig(learning_starts=1_000, eps_start=1.0, eps_end=0.04, eps_decay_steps=8_000)
    assert all(exploration_rate(t, cfg) == 1.0 for t in (0, 500, 999))
    for t in (1_000, 4_000, 7_999, 8_000, 30_000):
        want = 0.04 + 0.96 * max(0.0, 1 - t / 8_000)
        assert exploration_rate(t, cfg) == pytest.approx(want, abs=1e-15)


# --- bad input ------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda: train_dqn(CARTPOLE, DQNConfig(target_update="slow")), ValueError, "target_update"),
        (lambda: train_dqn(lambda: gym.make("FrozenLake-v1"), DQNConfig()), TypeError, "Box"),
        (lambda: evaluate(QNetwork(4, 2), CARTPOLE, episodes=0), ValueError, "episodes"),
    ],
)
def test_bad_input_is_refused(call, error, match):
    with pytest.raises(error, match=match):
        call()


# --- GPU ----------------------------------------------------------------------------------

@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_training_and_targets_on_cuda():
    cfg = DQNConfig(total_steps=400, learning_starts=100, train_every=50, gradient_steps=5,
                    hidden=(16,), eval_every=200, eval_episodes=2)
    net, hist = train_dqn(CARTPOLE, cfg, seed=0, device="cuda")
    assert next(net.parameters()).device.type == "cuda"
    assert np.isfinite(hist.losses).all()
    assert evaluate(net, CARTPOLE, episodes=3, device="cuda").shape == (3,)
    r, q, d = torch.randn(8), torch.randn(8, 2), torch.rand(8) < 0.5
    torch.testing.assert_close(td_targets(r.cuda(), q.cuda(), d.cuda(), 0.9).cpu(),
                               td_targets(r, q, d, 0.9))
