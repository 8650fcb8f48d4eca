"""Module state_dict / load_state_dict hooks, set_submodule and compile, against torch 2.13."""
import numpy as np
import pytest
import torch

import minitorch


def _net(L):
    L.manual_seed(0)
    return L.nn.Sequential(L.nn.Linear(3, 4), L.nn.Sequential(L.nn.BatchNorm1d(4), L.nn.Linear(4, 2)))


def _np(t):
    return t.detach().cpu().numpy() if hasattr(t, "cpu") else np.asarray(t.array)


def _copy_weights(src_torch, dst_mini):
    dst_mini.load_state_dict({k: minitorch.tensor(_np(v)) for k, v in src_torch.state_dict().items()})


def _install_state_hooks(L, net, log):
    handles = []
    for name, m in net.named_modules():
        def pre(module, prefix, keep_vars, name=name):
            log.append(("pre", name, prefix, keep_vars))

        def post(module, sd, prefix, local_metadata, name=name):
            log.append(("post", name, prefix, sorted(sd), dict(local_metadata)))

        handles.append(m.register_state_dict_pre_hook(pre))
        handles.append(m.register_state_dict_post_hook(post))
    return handles


@pytest.mark.parametrize("keep_vars", [False, True])
def test_state_dict_hook_order_and_args_match_torch(keep_vars):
    logs = {}
    for L in (torch, minitorch):
        net, log = _net(L), []
        handles = _install_state_hooks(L, net, log)
        sd = net.state_dict(keep_vars=keep_vars)
        logs[L.__name__] = list(log)
        assert list(sd._metadata.items()) == [(k, dict(v)) for k, v in _net(torch).state_dict()._metadata.items()]
        for h in handles:
            h.remove()
        log.clear()
        net.state_dict()
        assert log == []
    assert logs["minitorch"] == logs["torch"]
    assert len(logs["torch"]) == 10


def test_state_dict_post_hook_edits_in_place_and_return_raises():
    for L in (torch, minitorch):
        net = _net(L)

        def drop(module, sd, prefix, meta, L=L):
            del sd[prefix + "bias"]
            sd[prefix + "extra"] = L.ones(1)

        net[0].register_state_dict_post_hook(drop)
        keys = list(net.state_dict())
        assert "0.bias" not in keys and keys[1] == "0.extra", L
        bad = _net(L)
        bad.register_state_dict_post_hook(lambda m, sd, p, meta: {})
        with pytest.raises(RuntimeError, match="state_dict post-hook must return None"):
            bad.state_dict()
    for L in (torch, minitorch):  # the same function through the private API then raises
        def hook(m, sd, p, meta):
            return None

        _net(L).register_state_dict_post_hook(hook)
        with pytest.raises(RuntimeError, match="previously registered via register_state_dict_post_hook"):
            _net(L)._register_state_dict_hook(hook)


def test_private_state_dict_hook_return_respected_only_at_root():
    results = []
    for L in (torch, minitorch):
        net = _net(L)
        net._register_state_dict_hook(lambda m, sd, p, meta: {"root": 1})
        net[1]._register_state_dict_hook(lambda m, sd, p, meta: {"child": 2})
        results.append(net.state_dict())
    assert results[0] == results[1] == {"root": 1}


def _install_load_hooks(net, log, edit=None):
    handles = []
    for name, m in net.named_modules():
        def pre(module, sd, prefix, meta, strict, missing, unexpected, errors, name=name):
            log.append(("pre", name, prefix, sorted(sd), dict(meta), strict, list(missing), list(unexpected)))

        def post(module, inc, name=name):
            log.append(("post", name, list(inc.missing_keys), list(inc.unexpected_keys)))
            if edit is not None:
                edit(name, inc)

        handles.append(m.register_load_state_dict_pre_hook(pre))
        handles.append(m.register_load_state_dict_post_hook(post))
    return handles


def _bad_dict(L, net):
    sd = dict(net.state_dict())
    del sd["1.1.weight"]
    sd["1.0.bogus"] = L.zeros(1)
    sd["zzz"] = L.zeros(1)
    return sd


@pytest.mark.parametrize("assign", [False, True])
def test_load_hook_order_arguments_and_results_match_torch(assign):
    out = {}
    for L in (torch, minitorch):
        net, log = _net(L), []
        _install_load_hooks(net, log)
        res = net.load_state_dict(_bad_dict(L, _net(L)), strict=False, assign=assign)
        out[L.__name__] = (log, list(res.missing_keys), list(res.unexpected_keys))
    assert out["minitorch"] == out["torch"]
    assert out["torch"][1] == ["1.1.weight"] and out["torch"][2] == ["zzz", "1.0.bogus"]


def test_load_post_hook_clearing_keys_avoids_strict_error_and_sees_loaded_values():
    seen = {}
    for L in (torch, minitorch):
        net = _net(L)
        src = _net(L)
        with L.no_grad():
            for p in src.parameters():
                p.add_(1.0)

        def edit(name, inc, L=L, net=net):
            if name == "":
                seen[L.__name__] = _np(net[0].weight).copy()
                inc.missing_keys.clear()
                inc.unexpected_keys.clear()

        _install_load_hooks(net, [], edit)
        res = net.load_state_dict(_bad_dict(L, src))
        assert res.missing_keys == [] and res.unexpected_keys == []
        np.testing.assert_allclose(seen[L.__name__], _np(src[0].weight))
    for L in (torch, minitorch):  # a post-hook adding a key makes strict raise; returning a value asserts
        net = _net(L)
        net[0].register_load_state_dict_post_hook(lambda m, inc: inc.missing_keys.append("made.up"))
        with pytest.raises(RuntimeError, match='Missing key\\(s\\) in state_dict: "made.up"'):
            net.load_state_dict(_net(L).state_dict())
        net = _net(L)
        net.register_load_state_dict_post_hook(lambda m, inc: 1)
        with pytest.raises(AssertionError, match="not expected to return new values"):
            net.load_state_dict(_net(L).state_dict())


def test_load_pre_hook_can_rename_keys_and_handles_remove():
    for L in (torch, minitorch):
        net = _net(L)
        src = _net(L)
        with L.no_grad():
            src[1][1].weight.mul_(3.0)
        sd = {k.replace("1.1.", "1.1.old_"): v for k, v in src.state_dict().items()}

        def rename(module, state_dict, prefix, *rest):
            for k in [k for k in state_dict if k.startswith(prefix + "old_")]:
                state_dict[prefix + k[len(prefix) + 4:]] = state_dict.pop(k)

        h = net[1][1].register_load_state_dict_pre_hook(rename)
        net.load_state_dict(sd)
        np.testing.assert_allclose(_np(net[1][1].weight), _np(src[1][1].weight))
        assert "1.1.old_weight" in sd  # the caller's dict is not modified
        h.remove()
        with pytest.raises(RuntimeError, match="Unexpected key"):
            net.load_state_dict(sd)
    calls = []
    for L in (torch, minitorch):  # the private form calls the hook without the module
        net = _net(L)
        net._register_load_state_dict_pre_hook(lambda *a: calls.append(len(a)))
        net._register_load_state_dict_pre_hook(lambda *a: calls.append(len(a)), with_module=True)
        net.load_state_dict(_net(L).state_dict())
    assert calls == [7, 8, 7, 8]


def test_strict_error_loads_nothing_without_post_hooks_and_message_matches():
    msgs = []
    for L in (torch, minitorch):
        net = _net(L)
        before = _np(net[0].weight).copy()
        src = _net(L)
        with L.no_grad():
            src[0].weight.add_(1)
        with pytest.raises(RuntimeError) as e:
            net.load_state_dict(_bad_dict(L, src))
        msgs.append(str(e.value))
        if L is minitorch:  # README difference: nothing half-loaded
            np.testing.assert_allclose(_np(net[0].weight), before)
    assert msgs[0] == msgs[1]


def test_weight_norm_loads_old_weight_g_weight_v_keys():
    torch.manual_seed(0)
    old = torch.nn.utils.weight_norm(torch.nn.Linear(4, 3))
    sd = {k: minitorch.tensor(_np(v)) for k, v in old.state_dict().items()}
    assert set(sd) == {"weight_g", "weight_v", "bias"}
    for L, d in ((torch, old.state_dict()), (minitorch, sd)):
        new = L.nn.utils.parametrizations.weight_norm(L.nn.Linear(4, 3))
        new.load_state_dict(d)
        np.testing.assert_allclose(_np(new.weight), _np(old.weight), rtol=1e-6)
        seq = L.nn.Sequential(L.nn.utils.parametrizations.weight_norm(L.nn.Linear(4, 3)))
        seq.load_state_dict({"0." + k: v for k, v in d.items()})
        np.testing.assert_allclose(_np(seq[0].weight), _np(old.weight), rtol=1e-6)


def test_zero_dim_param_takes_one_element_checkpoint():
    for L in (torch, minitorch):
        m = L.nn.Module()
        m.register_buffer("b", L.tensor(0.0))
        m.load_state_dict({"b": L.tensor([5.0])})
        assert float(m.b) == 5.0 and m.b.ndim == 0


def test_set_submodule_matches_torch():
    for L in (torch, minitorch):
        net = _net(L)
        net.set_submodule("1.1", L.nn.Linear(4, 5))
        assert net[1][1].out_features == 5
        net.set_submodule("1.new", L.nn.ReLU())
        assert isinstance(net[1].new, L.nn.ReLU)
        with pytest.raises(AttributeError, match="has no attribute `other`"):
            net.set_submodule("1.other", L.nn.ReLU(), strict=True)
        with pytest.raises(ValueError, match="Cannot set the submodule without a target name"):
            net.set_submodule("", L.nn.ReLU())
        with pytest.raises(ValueError, match="is not an nn.Module"):
            net.set_submodule("0", 3)
        with pytest.raises(AttributeError, match="`weight` is not an nn.Module"):
            net.set_submodule("0.weight", L.nn.ReLU())
        with pytest.raises(AttributeError):
            net.set_submodule("9.x", L.nn.ReLU())


def test_compile_returns_none_and_keeps_results():
    net = _net(minitorch)
    x = minitorch.randn(2, 3)
    net.eval()
    before = _np(net(x))
    assert net.compile() is None
    assert net.compile(mode="reduce-overhead") is None
    np.testing.assert_allclose(_np(net(x)), before)
    with pytest.raises(TypeError):
        net.compile(bogus=1)


def test_hooks_survive_pickle_and_deepcopy():
    import copy

    net = _net(minitorch)
    net.register_state_dict_pre_hook(_record_prefix)
    _RECORD.clear()
    copy.deepcopy(net).state_dict()
    assert _RECORD == [""]


_RECORD: list = []


def _record_prefix(module, prefix, keep_vars):
    _RECORD.append(prefix)


def test_batchnorm_version_2_fills_num_batches_tracked_for_unversioned_checkpoints():
    for L in (torch, minitorch):
        m = L.nn.BatchNorm1d(3)
        assert m._version == 2
        sd = m.state_dict()
        del sd["num_batches_tracked"]
        with pytest.raises(RuntimeError, match="num_batches_tracked"):  # versioned: really missing
            m.load_state_dict(sd)
        assert m.load_state_dict(dict(sd)).missing_keys == []  # plain dict: no metadata, filled in
