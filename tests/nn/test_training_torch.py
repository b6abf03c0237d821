"""The torch training loop: equal to the explicit loop, multi-input/output, callbacks, errors."""

import numpy as np
import pytest
import torch
from torch import nn

from dlbook.nn.callbacks import EarlyStopping, ModelCheckpoint, ReduceLROnPlateau
from dlbook.nn.checkpoint_torch import load_checkpoint
from dlbook.nn.examples.ticket_model_torch import TicketModel, make_ticket_data, ticket_loss
from dlbook.nn.training_torch import (
    accuracy_from_logits,
    batch_indices,
    evaluate,
    fit,
    predict,
    split_validation,
)


def _data(n=90, seed=0):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n, 4, generator=g, dtype=torch.float64)
    y = (x[:, 0] - x[:, 1] > 0).long()
    return x, y


def _mlp():
    torch.manual_seed(3)
    return nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 2)).double()


def test_fit_equals_the_explicit_loop():
    x, y = _data()
    model = _mlp()
    fit(model, nn.CrossEntropyLoss(), torch.optim.Adam(model.parameters(), lr=0.01), x, y,
        epochs=3, batch_size=16, seed=5)
    ref = _mlp()
    opt, loss_fn = torch.optim.Adam(ref.parameters(), lr=0.01), nn.CrossEntropyLoss()
    g = torch.Generator().manual_seed(5)
    for _ in range(3):
        for idx in torch.randperm(len(x), generator=g).split(16):
            opt.zero_grad()
            loss_fn(ref(x[idx]), y[idx]).backward()
            opt.step()
    for (k, a), b in zip(model.state_dict().items(), ref.state_dict().values()):
        assert torch.equal(a, b), f"{k} differs from the explicit loop"


def test_history_metrics_and_evaluate():
    x, y = _data(120)
    model = _mlp()
    h = fit(
        model,
        nn.CrossEntropyLoss(),
        torch.optim.SGD(model.parameters(), lr=0.5),
        x[:90],
        y[:90],
        epochs=5,
        batch_size=30,
        validation_data=(x[90:], y[90:]),
        metrics={"accuracy": accuracy_from_logits},
    )
    assert set(h.history) == {"loss", "accuracy", "val_loss", "val_accuracy", "lr"}
    val = evaluate(
        model, nn.CrossEntropyLoss(), x[90:], y[90:], metrics={"accuracy": accuracy_from_logits}
    )
    assert val["loss"] == pytest.approx(h.history["val_loss"][-1], rel=1e-12)
    manual = (predict(model, x[90:]).argmax(1) == y[90:]).double().mean().item()
    assert val["accuracy"] == pytest.approx(manual)
    assert model.training, "fit/evaluate must leave the model in train mode"


def test_nan_error_names_epoch_and_batch():
    x, y = _data(40)
    model = _mlp()
    calls = {"n": 0}

    def loss(out, target):
        calls["n"] += 1
        value = nn.functional.cross_entropy(out, target)
        return value * float("inf") if calls["n"] == 3 * 4 + 2 else value   # 4 batches/epoch

    with pytest.raises(FloatingPointError, match="epoch 4, batch 2: loss is inf"):
        fit(model, loss, torch.optim.SGD(model.parameters(), lr=0.1), x, y, epochs=5, batch_size=10)


def test_callbacks_change_lr_stop_and_restore(tmp_path):
    x, y = _data(100)
    g = torch.Generator().manual_seed(9)
    xv, yv = (
        torch.randn(40, 4, generator=g, dtype=torch.float64),
        torch.randint(0, 2, (40,), generator=g),
    )
    model = _mlp()
    opt = torch.optim.SGD(model.parameters(), lr=0.5)
    es = EarlyStopping(patience=3, restore_best_weights=True)
    mc = ModelCheckpoint(str(tmp_path / "best.pt"), save_best_only=True)
    rl = ReduceLROnPlateau(factor=0.5, patience=0)
    h = fit(model, nn.CrossEntropyLoss(), opt, x, y, epochs=60, batch_size=20,
            validation_data=(xv, yv), callbacks=[es, mc, rl])
    n = len(h.history["loss"])
    assert n < 60 and es.stopped_epoch == n - 1
    assert h.history["lr"][0] == 0.5 and min(h.history["lr"]) < 0.5
    best = int(np.argmin(h.history["val_loss"]))
    state, meta = load_checkpoint(tmp_path / "best.pt", expected=model.state_dict())
    assert meta["epoch"] == best + 1
    for k, v in model.state_dict().items():
        assert torch.equal(v, state[k]), f"{k}: restored weights differ from the best checkpoint"


def test_multi_input_multi_output():
    d = make_ticket_data(200, vocabulary_size=300, num_tags=20, seed=1)
    torch.manual_seed(0)
    model = TicketModel(vocabulary_size=300, num_tags=20, hidden=16)
    x = (d["title"], d["text_body"], d["tags"])
    y = (d["priority"], d["department"])
    (xt, yt), (xv, yv) = split_validation(x, y, 0.25)
    assert len(xt) == 3 and xt[0].shape == (150, 300) and yv[1].shape == (50,)
    h = fit(model, ticket_loss, torch.optim.Adam(model.parameters(), lr=3e-3), xt, yt, epochs=15,
            batch_size=32, validation_data=(xv, yv),
            metrics={"dept_acc": lambda out, t: accuracy_from_logits(out[1], t[1])})
    assert h.history["val_loss"][-1] < h.history["val_loss"][0]
    assert h.history["val_dept_acc"][-1] > 0.9
    p, logits = predict(model, xv)
    assert p.shape == (50, 1) and logits.shape == (50, 4)


def test_argument_errors():
    x, y = _data(20)
    model = _mlp()
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    with pytest.raises(ValueError, match="y\\[0\\] has 19 rows but x\\[0\\] has 20"):
        fit(model, nn.CrossEntropyLoss(), opt, x, y[:19], epochs=1)
    with pytest.raises(TypeError, match="torch.nn.Module"):
        fit(lambda t: t, nn.CrossEntropyLoss(), opt, x, y, epochs=1)
    with pytest.raises(ValueError, match="not both"):
        fit(
            model,
            nn.CrossEntropyLoss(),
            opt,
            x,
            y,
            epochs=1,
            validation_data=(x, y),
            validation_split=0.2,
        )


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_fit_on_gpu_matches_cpu():
    x, y = _data()
    cpu, gpu = _mlp(), _mlp().cuda()
    for m in (cpu, gpu):
        fit(
            m,
            nn.CrossEntropyLoss(),
            torch.optim.SGD(m.parameters(), lr=0.1),
            x,
            y,
            epochs=2,
            batch_size=16,
        )
    for a, b in zip(cpu.parameters(), gpu.parameters()):
        torch.testing.assert_close(a, b.cpu(), rtol=1e-10, atol=1e-12)


def test_predict_matches_the_eval_forward_pass_and_restores_the_mode():
    x, _ = _data(n=25)
    model = nn.Sequential(nn.Linear(4, 8), nn.Dropout(0.5), nn.Linear(8, 2)).double()
    with torch.no_grad():
        expected = model.eval()(x)
    model.train()
    for batch_size in (1, 7, 25, 100):
        torch.testing.assert_close(predict(model, x, batch_size=batch_size), expected,
                                   rtol=1e-12, atol=1e-12, msg=f"batch_size={batch_size}")
    assert model.training, "predict must restore training mode"


@pytest.mark.parametrize("batch_size, error", [(0, ValueError), (-3, ValueError),
                                               (2.0, TypeError), (True, TypeError)])
def test_predict_refuses_a_bad_batch_size(batch_size, error):
    with pytest.raises(error, match="batch_size"):
        predict(nn.Linear(4, 1), torch.ones(3, 4), batch_size=batch_size)


def test_predict_refuses_empty_or_non_tensor_input():
    with pytest.raises(ValueError, match="empty"):
        predict(nn.Linear(4, 1), torch.ones(0, 4))
    with pytest.raises(TypeError, match="torch.Tensor"):
        predict(nn.Linear(4, 1), np.ones((3, 4)))


def test_batch_indices_cover_every_row_once_and_follow_the_seed():
    sizes = [len(b) for b in batch_indices(10, 4, rng=0)]
    assert sizes == [4, 4, 2]
    covered = torch.sort(torch.cat(batch_indices(10, 4, rng=0))).values
    assert covered.tolist() == list(range(10))
    assert [b.tolist() for b in batch_indices(5, 2, shuffle=False)] == [[0, 1], [2, 3], [4]]
    g1, g2 = torch.Generator().manual_seed(3), torch.Generator().manual_seed(3)
    assert torch.equal(
        torch.cat(batch_indices(9, 2, rng=g1)), torch.cat(batch_indices(9, 2, rng=g2))
    )
