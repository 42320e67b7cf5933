"""utils.accelerate: the default strategy on this CPU machine; TPU and GPU branches with fake devices."""
from types import SimpleNamespace

import pytest

from utils import accelerate

tf = pytest.importorskip("tensorflow")


class FakeStrategy:
    def __init__(self, *args, replicas=1, **kwargs):
        self.args, self.num_replicas_in_sync = args, replicas


def test_default_on_cpu(capsys, monkeypatch):
    monkeypatch.delenv("COLAB_TPU_ADDR", raising=False)
    monkeypatch.delenv("TPU_NAME", raising=False)
    monkeypatch.setattr(tf.config, "list_logical_devices", lambda kind=None: [])
    strategy = accelerate.get_strategy()
    assert strategy is tf.distribute.get_strategy()
    assert strategy.num_replicas_in_sync == 1
    assert capsys.readouterr().out.startswith("Accelerator: CPU")
    assert accelerate.suggested_batch_size(32, strategy) == 32
    assert accelerate.suggested_batch_size(16) == 16


def test_no_tpu_signs_no_resolver(monkeypatch):
    monkeypatch.delenv("COLAB_TPU_ADDR", raising=False)
    monkeypatch.delenv("TPU_NAME", raising=False)
    monkeypatch.setattr(accelerate, "Path", lambda p: SimpleNamespace(exists=lambda: False))
    monkeypatch.setattr(tf.distribute.cluster_resolver, "TPUClusterResolver",
                        lambda **kw: pytest.fail("must not look for a TPU"))
    assert accelerate._tpu_resolver() is None


def test_resolver_failure_means_no_tpu(monkeypatch):
    monkeypatch.setenv("COLAB_TPU_ADDR", "10.0.0.2:8470")

    def broken(**kwargs):
        raise ValueError("no TPU here")

    monkeypatch.setattr(tf.distribute.cluster_resolver, "TPUClusterResolver", broken)
    assert accelerate._tpu_resolver() is None


def test_tpu_branch(monkeypatch, capsys):
    calls = []
    resolver = object()
    monkeypatch.setattr(accelerate, "_tpu_resolver", lambda: resolver)
    monkeypatch.setattr(tf.config, "experimental_connect_to_cluster", lambda r: calls.append(("connect", r)))
    monkeypatch.setattr(tf.tpu.experimental, "initialize_tpu_system", lambda r: calls.append(("init", r)))
    monkeypatch.setattr(tf.distribute, "TPUStrategy", lambda r: FakeStrategy(r, replicas=8))
    strategy = accelerate.get_strategy()
    assert calls == [("connect", resolver), ("init", resolver)]
    assert strategy.args == (resolver,)
    assert "TPU" in capsys.readouterr().out
    assert accelerate.suggested_batch_size(16, strategy) == 128


@pytest.mark.parametrize("n_gpus, name, replicas", [(2, "MirroredStrategy", 2), (1, "OneDeviceStrategy", 1)])
def test_gpu_branches(monkeypatch, capsys, n_gpus, name, replicas):
    made = []

    def fake(kind):
        def build(*args, **kwargs):
            made.append((kind, args))
            return FakeStrategy(*args, replicas=replicas)
        return build

    monkeypatch.setattr(accelerate, "_tpu_resolver", lambda: None)
    monkeypatch.setattr(tf.config, "list_logical_devices", lambda kind=None: [f"/gpu:{i}" for i in range(n_gpus)])
    monkeypatch.setattr(tf.distribute, "MirroredStrategy", fake("MirroredStrategy"))
    monkeypatch.setattr(tf.distribute, "OneDeviceStrategy", fake("OneDeviceStrategy"))
    strategy = accelerate.get_strategy()
    assert made[0][0] == name
    if name == "OneDeviceStrategy":
        assert made[0][1] == ("/gpu:0",)
    assert "GPU" in capsys.readouterr().out
    assert accelerate.suggested_batch_size(32, strategy) == 32 * replicas


def test_tpu_hint(monkeypatch):
    monkeypatch.delenv("TPU_NAME", raising=False)
    monkeypatch.setenv("COLAB_TPU_ADDR", "10.0.0.2:8470")
    assert accelerate.tpu_hint() == {}
    monkeypatch.delenv("COLAB_TPU_ADDR")
    monkeypatch.setattr(accelerate, "Path", lambda p: SimpleNamespace(exists=lambda: p == "/dev/accel0"))
    assert accelerate.tpu_hint() == {"tpu": "local"}
