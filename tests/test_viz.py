"""minitorch.viz.draw_graph: DOT text for known graphs; rendering when Graphviz's `dot` is installed."""
from __future__ import annotations

import re

import numpy as np
import pytest

import minitorch
from minitorch.autograd import Function, trace
from minitorch.viz import Graph, can_render, draw_graph
from tests.helpers import require_torch, to_torch

torch = require_torch()

needs_dot = pytest.mark.skipif(
    not can_render(), reason="Graphviz's `dot` is not installed (apt-get install graphviz): rendering skipped"
)


def _linear_loss():
    rng = np.random.default_rng(0)
    x = minitorch.tensor(rng.standard_normal((4, 3)))
    w = minitorch.tensor(rng.standard_normal((3, 2)), requires_grad=True)
    b = minitorch.tensor(rng.standard_normal(2), requires_grad=True)
    x.requires_grad_(True)
    x.name = "x"
    loss = (x @ w + b).tanh().sum()
    loss.name = "loss"
    return x, w, b, loss


def _edges(src: str) -> list[tuple[str, str]]:
    return re.findall(r"^\s*(\w+) -> (\w+)", src, flags=re.M)


def _labels(src: str) -> dict[str, str]:
    return dict(re.findall(r'^\s*(\w+) \[label="([^"]*)"', src, flags=re.M))


def test_known_graph_nodes_edges_and_dataflow_order():
    x, w, b, loss = _linear_loss()
    g = draw_graph(loss, params={"weight": w, "bias": b})
    assert isinstance(g, Graph)
    src = g.source
    assert src.startswith("digraph") and src.rstrip().endswith("}")
    assert g.op_names == ["MatMul", "Add", "Tanh", "Sum"]
    labels = _labels(src)
    by_name = {lab.split("\\n")[0]: nid for nid, lab in labels.items()}
    assert set(by_name) == {"x", "weight", "bias", "MatMul", "Add", "Tanh", "Sum", "loss"}
    edges = _edges(src)
    expect = [("x", "MatMul"), ("weight", "MatMul"), ("MatMul", "Add"), ("bias", "Add"),
              ("Add", "Tanh"), ("Tanh", "Sum"), ("Sum", "loss")]
    assert sorted(edges) == sorted((by_name[a], by_name[b_]) for a, b_ in expect)
    # data-flow order: every node is declared before the nodes that consume it
    order = [nid for nid in re.findall(r"^\s*(\w+) \[label", src, flags=re.M)]
    for a, b_ in edges:
        assert order.index(a) < order.index(b_)
    # kinds: named parameters, a named leaf, the output
    assert g.node("weight").kind == "param" and g.node("x").kind == "leaf" and g.node("loss").kind == "output"
    assert g.node("weight").shape == (3, 2) and g.node("weight").dtype == "float64"
    # shapes recovered from what the ops saved; the root's own shape and dtype
    assert g.node("MatMul").shape == (4, 2)
    assert g.node("loss").shape == () and "() float64" in labels[by_name["loss"]]
    assert "arg 0" in src and "arg 1" in src


def test_grads_shown_after_backward_match_torch():
    x, w, b, loss = _linear_loss()
    before = draw_graph(loss, params={"weight": w, "bias": b})
    assert "grad" not in before.source
    loss.backward()
    g = draw_graph(loss, params={"weight": w, "bias": b})
    tx, tw, tb = to_torch(x, True), to_torch(w, True), to_torch(b, True)
    (tx @ tw + tb).tanh().sum().backward()
    for name, ref in (("weight", tw), ("bias", tb), ("x", tx)):
        node = g.node(name)
        assert node.grad_shape == tuple(ref.shape)
        assert node.grad_norm == pytest.approx(float(ref.grad.norm()), rel=1e-9)
        assert f"|g|={node.grad_norm:.4g}" in g.source
    assert "grad" not in draw_graph(loss, params={"weight": w}, show_grads=False).source


def test_retained_nonleaf_grad_and_trace_fill_in_shapes():
    x, w, b, _ = _linear_loss()
    h = x @ w + b
    h.retain_grad()
    loss = h.tanh().sum()
    with trace() as t:
        loss.backward(retain_graph=True)
    g = draw_graph(loss, trace=t)
    add = g.node("Add")
    th = to_torch(x, True) @ to_torch(w, True) + to_torch(b, True)
    th.retain_grad()
    th.tanh().sum().backward()
    assert add.shape == (4, 2) and add.grad_shape == (4, 2)
    assert add.grad_norm == pytest.approx(float(th.grad.norm()), rel=1e-9)
    for node in g.nodes:  # with the trace every op knows its output shape and dtype
        if node.kind == "op":
            assert node.shape is not None and node.dtype == "float64", node


def test_name_attribute_quotes_and_multi_output():
    class SplitHalves(Function):
        @staticmethod
        def forward(ctx, x):
            n = x.shape[0] // 2
            return x[:n] * 1.0, x[n:] * 1.0

        @staticmethod
        def backward(ctx, ga, gb):
            """d split = concatenate the two gradients."""
            return minitorch.cat([ga, gb])

    x = minitorch.randn(4, requires_grad=True)
    x.name = 'my "x"'
    a, c = SplitHalves.apply(x)
    y = a * c
    g = draw_graph(y)
    assert r'my \"x\"' in g.source
    assert g.node("SplitHalves").shape is None  # two outputs: one node, no single shape
    assert re.search(r'-> \w+ \[label="out 0 arg 0"\]', g.source)
    assert re.search(r'-> \w+ \[label="out 1 arg 1"\]', g.source)
    assert g.node("output").shape == (2,)


def test_multiple_roots_and_leaf_root():
    x = minitorch.randn(3, requires_grad=True)
    y1, y2 = x.exp(), x.sin()
    g = draw_graph([y1, y2])
    assert sorted(g.op_names) == ["Exp", "Sin"]
    assert sum(n.kind == "leaf" for n in g.nodes) == 1
    assert sum(n.kind == "output" for n in g.nodes) == 2
    g2 = draw_graph(x)
    assert [n.kind for n in g2.nodes] == ["leaf"] and g2.edges == []


def test_ten_thousand_node_chain_is_walked_without_recursion():
    x = minitorch.tensor([1.0], requires_grad=True)
    y = x
    for _ in range(10_000):
        y = y * 1.0
    g = draw_graph(y)
    assert len(g.op_names) == 10_000
    assert len(g.edges) == 10_001
    assert g.source.count("->") == 10_001


def test_pipe_without_dot_says_how_to_install(monkeypatch):
    import minitorch.viz.graph as graph_mod

    monkeypatch.setattr(graph_mod.shutil, "which", lambda name: None)
    g = draw_graph(_linear_loss()[3])
    with pytest.raises(RuntimeError, match="apt-get install graphviz"):
        g.pipe("svg")
    bundle = g._repr_mimebundle_()
    assert "image/svg+xml" not in bundle and "MatMul" not in bundle["text/plain"]
    assert g._repr_svg_() is None


def test_render_dot_text_without_graphviz(tmp_path):
    g = draw_graph(_linear_loss()[3])
    path = g.render(str(tmp_path / "graph.dot"))
    assert open(path).read() == g.source


@needs_dot
def test_render_svg_and_png(tmp_path):
    g = draw_graph(_linear_loss()[3])
    svg = g.render(str(tmp_path / "graph.svg"))
    text = open(svg).read()
    assert "<svg" in text and "MatMul" in text
    png = g.render(str(tmp_path / "graph"), format="png")
    with open(png, "rb") as f:
        assert f.read(8) == b"\x89PNG\r\n\x1a\n"
    bundle = g._repr_mimebundle_()
    assert "<svg" in bundle["image/svg+xml"]
    assert "<svg" in g._repr_svg_()


def test_one_element_gradients_show_their_value():
    w = minitorch.tensor(-0.5, dtype=minitorch.float64, requires_grad=True)
    w.name = "w"
    x = minitorch.tensor([1.5, -2.0], dtype=minitorch.float64, requires_grad=True)
    loss = (w * x).tanh().sum()
    loss.backward()
    tw, tx = to_torch(w, True), to_torch(x, True)
    (tw * tx).tanh().sum().backward()
    g = draw_graph(loss)
    assert g.node("w").grad_value == pytest.approx(tw.grad.item(), rel=1e-12)
    assert f"grad () = {tw.grad.item():.4g}" in g.source
    assert g.node("leaf").grad_value is None  # x has two elements: its norm is shown
