"""minitorch.jit: model code written for TorchScript runs eagerly with torch's results.

The same model source is built against torch (and really scripted/traced by torch) and against minitorch;
outputs, state_dicts, modes and errors are compared."""
import io
import warnings
from typing import Optional

import numpy as np
import pytest

import minitorch

from .helpers import assert_close, raises_like_torch, require_torch, to_mt

torch = require_torch()

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def _model_class(L):
    """A model written for TorchScript, against library ``L`` (torch or minitorch)."""
    nn = L.nn

    class Block(nn.Module):
        scale: L.jit.Final[float]

        def __init__(self):
            super().__init__()
            self.fc1 = nn.Linear(4, 8)
            self.drop = nn.Dropout(0.5)
            self.fc2 = nn.Linear(8, 3)
            self.scale = 2.0

        @L.jit.export
        def features(self, x):
            return L.relu(self.fc1(x))

        @L.jit.ignore
        def debug(self, x):
            return x.sum().item()

        @L.jit.unused
        def never(self, x):
            raise RuntimeError("unused")

        def forward(self, x, mask: Optional[L.Tensor] = None):  # noqa: UP045  (TorchScript's spelling)
            h = self.features(x)
            h = self.drop(h)
            acc = L.jit.annotate(list[L.Tensor], [])
            acc.append(self.fc2(h) * self.scale)
            if mask is not None:
                acc.append(mask)
            if not L.jit.is_scripting():
                acc.append(L.zeros_like(acc[0]))
            return L.stack(acc).sum(0)

    return Block


def _pair():
    torch.manual_seed(0)
    t = _model_class(torch)()
    m = _model_class(minitorch)()
    m.load_state_dict({k: to_mt(v) for k, v in t.state_dict().items()})
    return t, m


X = np.random.default_rng(0).standard_normal((5, 4)).astype(np.float32)


def test_script_module_runs_eagerly_with_torchs_results():
    t, m = _pair()
    st = torch.jit.script(t)
    sm = minitorch.jit.script(m)
    assert sm is m and isinstance(sm, minitorch.nn.Module)
    st.eval()
    assert sm.eval() is sm and not sm.training and not sm.fc1.training
    assert_close(sm(minitorch.tensor(X)), st(torch.from_numpy(X)), rtol=1e-5, atol=1e-6)
    mask = np.ones((5, 3), np.float32)
    assert_close(sm(minitorch.tensor(X), minitorch.tensor(mask)), st(torch.from_numpy(X), torch.from_numpy(mask)),
                 rtol=1e-5, atol=1e-6)
    assert_close(sm.features(minitorch.tensor(X)), st.features(torch.from_numpy(X)), rtol=1e-5, atol=1e-6)
    assert list(sm.state_dict()) == list(st.state_dict())
    for (kt, vt), (km, vm) in zip(st.named_parameters(), sm.named_parameters()):
        assert kt == km
        assert_close(vm, vt)
    assert sm.debug(minitorch.tensor(X)) == pytest.approx(float(X.sum()), rel=1e-5)
    sm.train()
    assert sm.training and sm.drop.training


def test_script_function_class_and_errors():
    def f(x, y: int = 2):
        return x * y + 1

    tf, mf = torch.jit.script(f), minitorch.jit.script(f)
    assert mf is f
    assert_close(mf(minitorch.tensor(X), 3), tf(torch.from_numpy(X), 3))
    raises_like_torch(lambda: torch.jit.script(torch.nn.Linear), lambda: minitorch.jit.script(minitorch.nn.Linear))

    class Point:
        def __init__(self, x: float):
            self.x = x

    assert minitorch.jit.script(Point) is Point
    with pytest.raises(TypeError, match="No constructor"):
        minitorch.jit.ScriptFunction()
    raises_like_torch(lambda: torch.jit.ScriptFunction(), lambda: minitorch.jit.ScriptFunction())


def test_script_warns_like_torch():
    for L in (torch, minitorch):
        with pytest.warns(DeprecationWarning, match="torch.jit.script` is deprecated"):
            L.jit.script(L.nn.Linear(2, 2))
        with pytest.warns(FutureWarning, match="optimize"):
            L.jit.script(L.nn.Linear(2, 2), optimize=True)


def test_old_style_script_module_subclass():
    def build(L):
        class M(L.jit.ScriptModule):
            def __init__(self):
                super().__init__()
                self.lin = L.nn.Linear(4, 2)

            @L.jit.script_method
            def forward(self, x):
                return self.lin(x).tanh()

        return M()

    torch.manual_seed(1)
    t, m = build(torch), build(minitorch)
    m.load_state_dict({k: to_mt(v) for k, v in t.state_dict().items()})
    assert isinstance(m, minitorch.jit.ScriptModule) and isinstance(m, minitorch.nn.Module)
    assert_close(m(minitorch.tensor(X)), t(torch.from_numpy(X)), rtol=1e-5, atol=1e-6)
    assert list(m.state_dict()) == list(t.state_dict())


# ---- trace ------------------------------------------------------------------------------------------------
def test_trace_module_returns_the_module_and_matches_torch():
    t, m = _pair()
    t.eval(), m.eval()
    tt = torch.jit.trace(t, torch.from_numpy(X))
    tm = minitorch.jit.trace(m, minitorch.tensor(X))
    assert tm is m
    assert_close(tm(minitorch.tensor(X)), tt(torch.from_numpy(X)), rtol=1e-5, atol=1e-6)
    assert list(tm.state_dict()) == list(tt.state_dict())
    assert minitorch.jit.trace(m.forward, minitorch.tensor(X)) is m  # a bound forward traces the module
    assert minitorch.jit.trace_module(m, {"forward": minitorch.tensor(X), "features": (minitorch.tensor(X),)}) is m
    assert minitorch.jit.trace(m, example_kwarg_inputs={"x": minitorch.tensor(X)}) is m


def test_trace_runs_the_example_once_with_is_tracing():
    seen = []

    def f(x):
        seen.append(minitorch.jit.is_tracing())
        return x * 2

    assert minitorch.jit.trace(f, minitorch.tensor(X)) is f
    assert seen == [True] and not minitorch.jit.is_tracing()
    minitorch.jit.trace(f, (minitorch.tensor(X),), check_inputs=[(minitorch.tensor(X[:2]),)])
    assert seen == [True, True, True]
    minitorch.jit.trace(f, example_kwarg_inputs={"x": minitorch.tensor(X)})
    assert len(seen) == 4


def test_trace_surfaces_errors_like_torch():
    lt, lm = torch.nn.Linear(4, 2), minitorch.nn.Linear(4, 2)
    bad_t, bad_m = torch.randn(3, 5), minitorch.randn(3, 5)
    raises_like_torch(lambda: torch.jit.trace(lt, bad_t), lambda: minitorch.jit.trace(lm, bad_m))
    raises_like_torch(lambda: torch.jit.trace(lambda x: x, None), lambda: minitorch.jit.trace(lambda x: x, None))
    raises_like_torch(lambda: torch.jit.trace(lt), lambda: minitorch.jit.trace(lm))
    raises_like_torch(lambda: torch.jit.trace_module(lambda x: x, {}),
                      lambda: minitorch.jit.trace_module(lambda x: x, {}))
    raises_like_torch(lambda: torch.jit.trace_module(lt, torch.randn(1, 4)),
                      lambda: minitorch.jit.trace_module(lm, minitorch.randn(1, 4)))
    raises_like_torch(lambda: torch.jit.trace(lt.extra_repr, torch.randn(1, 4)),
                      lambda: minitorch.jit.trace(lm.extra_repr, minitorch.randn(1, 4)))


# ---- decorators, annotations, fork/wait ---------------------------------------------------------------
def test_decorators_and_annotations():
    jit = minitorch.jit

    def g(x):
        return x

    assert jit.ignore(g) is g and jit.ignore(drop=True)(g) is g and jit.unused(g) is g and jit.export(g) is g
    raises_like_torch(lambda: torch.jit.ignore(3), lambda: jit.ignore(3))
    raises_like_torch(lambda: torch.jit.interface(g), lambda: jit.interface(g))

    class Iface:
        def f(self, x):
            pass

    assert jit.interface(Iface) is Iface
    assert jit.annotate(list[int], [1]) == [1] and jit.Attribute(3, int) == 3
    assert jit.is_scripting() is False and torch.jit.is_scripting() is False
    assert jit.Final is torch.jit.Final
    assert jit.script_if_tracing(g)(5) == 5


@pytest.mark.parametrize("obj,typ", [
    ([1, 2], list[int]), ([1, "a"], list[int]), ({"a": 1}, dict[str, int]), ({"a": "b"}, dict[str, int]),
    (None, Optional[int]), (3, Optional[int]),  # noqa: UP045
    ((1, "a"), tuple[int, str]), ((1, 2), tuple[int, str]), (2, int | None), ("x", int | str),
    ([], list[int]), (1.0, int), ([[1], [2]], list[list[int]]), ("s", str),
])
@pytest.mark.filterwarnings("ignore:The inner type of a container is lost")
def test_jit_isinstance_matches_torch(obj, typ):
    assert minitorch.jit.isinstance(obj, typ) == torch.jit.isinstance(obj, typ)


def test_fork_wait_and_future():
    jit = minitorch.jit
    fut = jit.fork(lambda a, b=2: a + b, 1, b=5)
    tfut = torch.jit.fork(lambda a, b=2: a + b, 1, b=5)
    assert fut.done() and jit.wait(fut) == fut.wait() == fut.value() == torch.jit.wait(tfut) == 6
    x = minitorch.tensor(X)
    assert_close(jit.wait(jit.fork(minitorch.relu, x)), torch.relu(torch.from_numpy(X)))

    def boom():
        raise ValueError("boom")

    raises_like_torch(lambda: torch.jit.fork(boom), lambda: jit.fork(boom))
    chained = fut.then(lambda f: f.wait() * 10)
    assert chained.wait() == 60
    got = []
    fut.add_done_callback(lambda f: got.append(f.value()))
    assert got == [6]
    pending = jit.Future()
    assert not pending.done()
    later = pending.then(lambda f: f.wait() + 1)
    pending.set_result(1)
    assert later.wait() == 2
    with pytest.raises(RuntimeError, match="only be marked completed once"):
        pending.set_result(2)


# ---- inference helpers and serialization ------------------------------------------------------------------
def test_freeze_and_optimize_for_inference():
    t, m = _pair()
    st = torch.jit.script(t)
    raises_like_torch(lambda: torch.jit.freeze(st), lambda: minitorch.jit.freeze(m))
    st.eval(), m.eval()
    ft, fm = torch.jit.freeze(st), minitorch.jit.freeze(m)
    assert fm is m
    assert_close(fm(minitorch.tensor(X)), ft(torch.from_numpy(X)), rtol=1e-5, atol=1e-6)
    m.train()
    om = minitorch.jit.optimize_for_inference(m)
    ot = torch.jit.optimize_for_inference(torch.jit.script(t.train()))
    assert om is m and not m.training and not m.drop.training
    assert_close(om(minitorch.tensor(X)), ot(torch.from_numpy(X)), rtol=1e-5, atol=1e-6)
    raises_like_torch(lambda: torch.jit.freeze(3), lambda: minitorch.jit.freeze(3))


def test_save_and_load_raise_with_the_alternative():
    m = minitorch.nn.Linear(2, 2)
    for call in (lambda: minitorch.jit.save(minitorch.jit.script(m), io.BytesIO()),
                 lambda: minitorch.jit.load(io.BytesIO(b"abc"))):
        with pytest.raises(RuntimeError, match=r"minitorch.save\(model.state_dict\(\)") as err:
            call()
        assert isinstance(err.value, NotImplementedError)


def test_fuser_settings():
    jit = minitorch.jit
    old_t = torch.jit.set_fusion_strategy([("STATIC", 3)])
    torch.jit.set_fusion_strategy(old_t)
    old = jit.set_fusion_strategy([("STATIC", 3)])
    assert old == old_t and jit.set_fusion_strategy(old) == [("STATIC", 3)]
    assert jit.onednn_fusion_enabled() == torch.jit.onednn_fusion_enabled()
    jit.enable_onednn_fusion(True)
    assert jit.onednn_fusion_enabled()
    jit.enable_onednn_fusion(False)
    with jit.optimized_execution(False), jit.fuser("fuser1"):
        pass
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with jit.strict_fusion():
            pass
    assert any("Only works in script mode" in str(w.message) for w in caught)
