"""Recurrent layers: RNN, LSTM, GRU and their single-step cells, with PyTorch's parameter layout.

Each layer/direction owns ``weight_ih_l{k}[_reverse]`` (gates*H, in), ``weight_hh_l{k}`` (gates*H, H)
and the two biases. Gate order: LSTM (i, f, g, o), GRU (r, z, n). The input projection of a whole
sequence is one matmul; only the hidden-to-hidden product runs per time step.
"""
from __future__ import annotations

import math
import numbers
import warnings

from ... import creation
from ...ops.shape import cat, stack
from ...tensor import Tensor
from .. import functional as F
from .. import init
from ..functional.recurrent import CELLS, TensorOps, lstm_pointwise, recurrent_sequence
from ..parameter import Parameter
from ..utils.rnn import PackedSequence
from .module import Module

__all__ = ["RNNBase", "RNN", "LSTM", "GRU", "RNNCellBase", "RNNCell", "LSTMCell", "GRUCell"]

_GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "LSTM": 4, "GRU": 3}


# ---------------------------------------------------------------- one time step per mode (cells) ---------
def _lstm_step(xg: Tensor, h: Tensor, c: Tensor, w_hh: Tensor, b_hh):
    """i, f, o = sigmoid(.), g = tanh(.); c' = f c + i g; h' = o tanh(c') (one fused node)."""
    return lstm_pointwise(xg + F.linear(h, w_hh, b_hh), c)


def _step_for(mode: str):
    """One time step (xg, h, c, w_hh, b_hh) -> (h', c'), for the cells; the formulas live in
    ``nn/functional/recurrent.py`` (shared with the sequence node)."""
    if mode == "LSTM":
        return _lstm_step
    cell = CELLS[mode][0]

    def step(xg: Tensor, h: Tensor, c, w_hh: Tensor, b_hh):
        return cell(TensorOps, xg, F.linear(h, w_hh, b_hh), h, c)[:2]

    return step


def _uniform_by_hidden_size_(module: Module) -> None:
    """Every weight and bias ~ U(-1/sqrt(hidden_size), 1/sqrt(hidden_size)), as torch initialises RNNs."""
    bound = 1.0 / math.sqrt(module.hidden_size) if module.hidden_size > 0 else 0
    for w in module.parameters():
        init.uniform_(w, -bound, bound)


def _reject_proj_size(kwargs: dict, name: str) -> None:
    """RNN and GRU take no ``proj_size`` (torch's error); any other unknown keyword is a TypeError."""
    if "proj_size" in kwargs:
        raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
    if kwargs:
        raise TypeError(f"{name}.__init__() got an unexpected keyword argument '{next(iter(kwargs))}'")


class RNNBase(Module):
    """Shared machinery of RNN/LSTM/GRU: parameters, shape checks, the layer/direction loop."""

    def __init__(self, mode: str, input_size: int, hidden_size: int, num_layers: int = 1, bias: bool = True,
                 batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False,
                 proj_size: int = 0, device=None, dtype=None) -> None:
        super().__init__()
        self.mode = mode
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bias = bias
        self.batch_first = batch_first
        self.dropout = float(dropout)
        self.bidirectional = bidirectional
        self.proj_size = proj_size
        if (not isinstance(dropout, numbers.Number) or not 0 <= dropout <= 1 or isinstance(dropout, bool)):
            raise ValueError("dropout should be a number in range [0, 1] representing the probability of an "
                             "element being zeroed")
        if dropout > 0 and num_layers == 1:
            warnings.warn("dropout option adds dropout after all but last recurrent layer, so non-zero dropout "
                          f"expects num_layers greater than 1, but got dropout={dropout} and "
                          f"num_layers={num_layers}", stacklevel=2)
        if not isinstance(hidden_size, int) or isinstance(hidden_size, bool):
            raise TypeError(f"hidden_size should be of type int, got: {type(hidden_size).__name__}")
        if hidden_size <= 0:
            raise ValueError("hidden_size must be greater than zero")
        if num_layers <= 0:
            raise ValueError("num_layers must be greater than zero")
        if proj_size < 0:
            raise ValueError("proj_size should be a positive integer or zero to disable projections")
        if proj_size >= hidden_size:
            raise ValueError("proj_size has to be smaller than hidden_size")
        if mode not in _GATES:
            raise ValueError(f"Unrecognized RNN mode: {mode}")
        gate_size = _GATES[mode] * hidden_size
        num_directions = 2 if bidirectional else 1
        real_hidden_size = proj_size if proj_size > 0 else hidden_size  # the width of h
        self._flat_weights_names: list[str] = []
        self._all_weights: list[list[str]] = []
        kw = {"device": device, "dtype": dtype}
        for layer in range(num_layers):
            for direction in range(num_directions):
                layer_input = input_size if layer == 0 else real_hidden_size * num_directions
                suffix = "_reverse" if direction == 1 else ""
                names = [f"weight_ih_l{layer}{suffix}", f"weight_hh_l{layer}{suffix}"]
                shapes = [(gate_size, layer_input), (gate_size, real_hidden_size)]
                if bias:
                    names += [f"bias_ih_l{layer}{suffix}", f"bias_hh_l{layer}{suffix}"]
                    shapes += [(gate_size,), (gate_size,)]
                if proj_size > 0:  # h_t = (o_t tanh(c_t)) W_hr^T
                    names.append(f"weight_hr_l{layer}{suffix}")
                    shapes.append((proj_size, hidden_size))
                for name, shape in zip(names, shapes):
                    setattr(self, name, Parameter(creation.empty(*shape, **kw)))
                self._flat_weights_names.extend(names)
                self._all_weights.append(names)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        _uniform_by_hidden_size_(self)

    def flatten_parameters(self) -> None:
        """No-op (cuDNN weight packing does not apply here); kept so torch scripts run."""

    @property
    def all_weights(self) -> list[list[Parameter]]:
        return [[getattr(self, n) for n in names] for names in self._all_weights]

    @property
    def _flat_weights(self) -> list[Parameter]:
        return [getattr(self, n) for n in self._flat_weights_names]

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if self.proj_size != 0:
            s += f", proj_size={self.proj_size}"
        if self.num_layers != 1:
            s += f", num_layers={self.num_layers}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if self.batch_first is not False:
            s += f", batch_first={self.batch_first}"
        if self.dropout != 0:
            s += f", dropout={self.dropout}"
        if self.bidirectional is not False:
            s += f", bidirectional={self.bidirectional}"
        return s

    # ---- forward ------------------------------------------------------------------------------------
    def _check_input(self, input: Tensor) -> bool:
        if not isinstance(input, Tensor):
            raise TypeError(f"{type(self).__name__}: expected a Tensor input, got {type(input).__name__}")
        if input.dim() not in (2, 3):
            raise ValueError(f"{type(self).__name__}: Expected input to be 2D or 3D, got {input.dim()}D tensor instead")
        if input.shape[-1] != self.input_size:
            raise RuntimeError(
                f"input.size(-1) must be equal to input_size. Expected {self.input_size}, got {input.shape[-1]}"
            )
        return input.dim() == 3

    def _check_hidden(self, hx: Tensor, expected: tuple, msg: str = "Expected hidden size {}, got {}") -> None:
        if tuple(hx.shape) != expected:
            raise RuntimeError(msg.format(list(expected), list(hx.shape)))

    def _prepare_states(self, input: Tensor, hx, batched: bool):
        """(x as (L, N, H_in), list of initial (h, c) per layer*direction, batch size)."""
        x = input if batched else input.unsqueeze(1)
        if batched and self.batch_first:
            x = x.transpose(0, 1)
        n = x.shape[1]
        expected_h, expected_c = self._state_shapes(n)
        states = []
        parts = hx if isinstance(hx, tuple) else (hx,)
        count = 2 if self.mode == "LSTM" else 1
        if hx is None:
            parts = self._zero_states(expected_h, expected_c, input)
        else:
            if self.mode == "LSTM" and (not isinstance(hx, tuple) or len(hx) != 2):
                raise RuntimeError("LSTM: expected hx to be a tuple (h_0, c_0)")
            fixed = []
            for p, label, expected in zip(parts, ("hidden", "cell"), (expected_h, expected_c)):
                if not batched:
                    if p.dim() != 2:
                        raise RuntimeError(f"For unbatched 2-D input, hx should also be 2-D but got {p.dim()}-D tensor")
                    p = p.unsqueeze(1)
                elif p.dim() != 3:
                    raise RuntimeError(f"For batched 3-D input, hx should also be 3-D but got {p.dim()}-D tensor")
                self._check_hidden(p, expected, "Expected " + label + " size {}, got {}")
                fixed.append(p)
            parts = tuple(fixed)
        for k in range(expected_h[0]):
            states.append((parts[0][k], parts[1][k] if count == 2 else None))
        return x, states

    def _state_shapes(self, batch: int) -> tuple:
        """The shapes of h_0 and c_0: (layers * directions, batch, proj_size or hidden_size / hidden_size)."""
        layers = self.num_layers * (2 if self.bidirectional else 1)
        return (layers, batch, self.proj_size or self.hidden_size), (layers, batch, self.hidden_size)

    def _zero_states(self, expected_h: tuple, expected_c: tuple, like: Tensor) -> tuple:
        h = creation.zeros(*expected_h, dtype=like.dtype, device=like.device)
        if self.mode != "LSTM":
            return (h,)
        return h, (h if expected_c == expected_h else creation.zeros(*expected_c, dtype=like.dtype, device=like.device))

    def _run(self, x: Tensor, states: list, batch_sizes: list | None = None):
        """All layers and directions over x (T, N, H_in), or packed x (sum(batch_sizes), H_in)."""
        num_directions = 2 if self.bidirectional else 1
        h_out, c_out = [], []
        for layer in range(self.num_layers):
            outs = []
            for direction in range(num_directions):
                names = self._all_weights[layer * num_directions + direction]
                w_ih, w_hh = getattr(self, names[0]), getattr(self, names[1])
                b_ih, b_hh = (getattr(self, names[2]), getattr(self, names[3])) if self.bias else (None, None)
                w_hr = getattr(self, names[-1]) if self.proj_size > 0 else None
                h, c = states[layer * num_directions + direction]
                xg = F.linear(x, w_ih, b_ih)  # input projection of every step in one product
                # the whole sequence as one node (backpropagation through time on arrays)
                seq, h, *rest = recurrent_sequence(self.mode, xg, h, c, w_hh, b_hh, direction == 1, batch_sizes,
                                                   w_hr)
                outs.append(seq)
                h_out.append(h)
                c_out.append(rest[0] if rest else None)
            x = outs[0] if num_directions == 1 else cat(outs, -1)
            if self.dropout and self.training and layer < self.num_layers - 1:
                x = F.dropout(x, self.dropout, True)
        h_n = stack(h_out, 0)
        c_n = stack(c_out, 0) if self.mode == "LSTM" else None
        return x, h_n, c_n

    def _forward_packed(self, packed: PackedSequence, hx):
        """A PackedSequence in, a PackedSequence out; h_n (c_n) hold each sequence's state after its own
        last step, in the caller's batch order (``sorted_indices`` permutes hx in, ``unsorted_indices`` out)."""
        data, batch_sizes, sorted_indices, unsorted_indices = packed
        if data.dim() != 2:
            raise RuntimeError(f"input must have 2 dimensions, got {data.dim()}")
        if data.shape[-1] != self.input_size:
            raise RuntimeError(
                f"input.size(-1) must be equal to input_size. Expected {self.input_size}, got {data.shape[-1]}"
            )
        sizes = [int(n) for n in batch_sizes.tolist()]  # a CPU tensor: no device sync
        expected_h, expected_c = self._state_shapes(sizes[0])
        count = 2 if self.mode == "LSTM" else 1
        if hx is None:
            parts = self._zero_states(expected_h, expected_c, data)
        else:
            if self.mode == "LSTM" and (not isinstance(hx, tuple) or len(hx) != 2):
                raise RuntimeError("LSTM: expected hx to be a tuple (h_0, c_0)")
            parts = hx if isinstance(hx, tuple) else (hx,)
            if sorted_indices is not None:
                parts = tuple(p.index_select(1, sorted_indices) for p in parts)
            for p, label, expected in zip(parts, ("hidden", "cell"), (expected_h, expected_c)):
                self._check_hidden(p, expected, "Expected " + label + " size {}, got {}")
        states = [(parts[0][k], parts[1][k] if count == 2 else None) for k in range(expected_h[0])]
        out, h_n, c_n = self._run(data, states, sizes)
        if unsorted_indices is not None:
            h_n = h_n.index_select(1, unsorted_indices)
            c_n = None if c_n is None else c_n.index_select(1, unsorted_indices)
        output = PackedSequence(out, batch_sizes, sorted_indices, unsorted_indices)
        return (output, (h_n, c_n)) if self.mode == "LSTM" else (output, h_n)

    def forward(self, input: Tensor, hx=None):
        if isinstance(input, PackedSequence):
            return self._forward_packed(input, hx)
        batched = self._check_input(input)
        x, states = self._prepare_states(input, hx, batched)
        out, h_n, c_n = self._run(x, states)
        if batched:
            if self.batch_first:
                out = out.transpose(0, 1)
        else:
            out = out.squeeze(1)
            h_n = h_n.squeeze(1)
            c_n = c_n.squeeze(1) if c_n is not None else None
        if self.mode == "LSTM":
            return out, (h_n, c_n)
        return out, h_n


class RNN(RNNBase):
    """Elman RNN: h_t = tanh(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh) (``nonlinearity='relu'`` for ReLU).

    ``RNN(input_size, hidden_size, num_layers=1, nonlinearity='tanh', bias=True, batch_first=False,
    dropout=0.0, bidirectional=False)``.
    """

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1, nonlinearity: str = "tanh",
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False,
                 device=None, dtype=None, **kwargs) -> None:
        _reject_proj_size(kwargs, type(self).__name__)
        if nonlinearity == "tanh":
            mode = "RNN_TANH"
        elif nonlinearity == "relu":
            mode = "RNN_RELU"
        else:
            raise ValueError(f"Unknown nonlinearity '{nonlinearity}'. Select from 'tanh' or 'relu'.")
        super().__init__(mode, input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional,
                         device=device, dtype=dtype)
        self.nonlinearity = nonlinearity


class LSTM(RNNBase):
    """Long short-term memory; returns ``output, (h_n, c_n)``. Gates in PyTorch's order i, f, g, o.

    With ``proj_size`` P > 0 each hidden state is projected, h_t = (o_t tanh(c_t)) W_hr^T (``weight_hr_l{k}``,
    (P, hidden_size)): outputs and h_n are P wide, c_n stays hidden_size wide.
    """

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1, bias: bool = True,
                 batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False,
                 proj_size: int = 0, device=None, dtype=None) -> None:
        super().__init__("LSTM", input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional,
                         proj_size, device, dtype)


class GRU(RNNBase):
    """Gated recurrent unit; gates in PyTorch's order r, z, n (b_hn inside the reset product)."""

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1, bias: bool = True,
                 batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False,
                 device=None, dtype=None, **kwargs) -> None:
        _reject_proj_size(kwargs, type(self).__name__)
        super().__init__("GRU", input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional,
                         device=device, dtype=dtype)


# ---------------------------------------------------------------- cells ---------------------------
class RNNCellBase(Module):
    """One time step: parameters ``weight_ih`` (gates*H, in), ``weight_hh``, ``bias_ih``, ``bias_hh``."""

    _mode = "RNN_TANH"

    def __init__(self, input_size: int, hidden_size: int, bias: bool, num_chunks: int, device=None,
                 dtype=None) -> None:
        super().__init__()
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.bias = bias
        kw = {"device": device, "dtype": dtype}
        self.weight_ih = Parameter(creation.empty(num_chunks * hidden_size, input_size, **kw))
        self.weight_hh = Parameter(creation.empty(num_chunks * hidden_size, hidden_size, **kw))
        if bias:
            self.bias_ih = Parameter(creation.empty(num_chunks * hidden_size, **kw))
            self.bias_hh = Parameter(creation.empty(num_chunks * hidden_size, **kw))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        _uniform_by_hidden_size_(self)

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        nl = getattr(self, "nonlinearity", "tanh")
        if nl != "tanh":
            s += f", nonlinearity={nl}"
        return s

    def _check(self, input: Tensor) -> bool:
        if input.dim() not in (1, 2):
            raise ValueError(f"{type(self).__name__}: Expected input to be 1D or 2D, got {input.dim()}D instead")
        if input.shape[-1] != self.input_size:
            raise RuntimeError(
                f"input has inconsistent input_size: got {input.shape[-1]} expected {self.input_size}"
            )
        return input.dim() == 2

    def _state(self, hx, x: Tensor, batched: bool) -> Tensor:
        if hx is None:
            return creation.zeros(x.shape[0], self.hidden_size, dtype=x.dtype, device=x.device)
        if not batched:
            if hx.dim() != 1:
                raise ValueError(f"{type(self).__name__}: Expected hidden to be 1D for 1D input, got {hx.dim()}D")
            hx = hx.unsqueeze(0)
        if tuple(hx.shape) != (x.shape[0], self.hidden_size):
            raise RuntimeError(
                f"{type(self).__name__}: hidden state has shape {list(hx.shape)}, expected "
                f"{[x.shape[0], self.hidden_size]}"
            )
        return hx

    def _cell(self, input: Tensor, h: Tensor, c):
        x = input if input.dim() == 2 else input.unsqueeze(0)
        xg = F.linear(x, self.weight_ih, self.bias_ih)
        return _step_for(self._mode)(xg, h, c, self.weight_hh, self.bias_hh)


class RNNCell(RNNCellBase):
    """h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh) (or relu)."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, nonlinearity: str = "tanh",
                 device=None, dtype=None) -> None:
        if nonlinearity not in ("tanh", "relu"):
            raise RuntimeError(f"Unknown nonlinearity: {nonlinearity}")
        super().__init__(input_size, hidden_size, bias, 1, device, dtype)
        self.nonlinearity = nonlinearity
        self._mode = "RNN_TANH" if nonlinearity == "tanh" else "RNN_RELU"

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        batched = self._check(input)
        x = input if batched else input.unsqueeze(0)
        h, _ = self._cell(x, self._state(hx, x, batched), None)
        return h if batched else h.squeeze(0)


class LSTMCell(RNNCellBase):
    """One LSTM step; returns (h', c'). Gates i, f, g, o."""

    _mode = "LSTM"

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, device=None, dtype=None) -> None:
        super().__init__(input_size, hidden_size, bias, 4, device, dtype)

    def forward(self, input: Tensor, hx: tuple | None = None) -> tuple[Tensor, Tensor]:
        batched = self._check(input)
        x = input if batched else input.unsqueeze(0)
        if hx is None:
            h = c = self._state(None, x, batched)
        else:
            h, c = self._state(hx[0], x, batched), self._state(hx[1], x, batched)
        h, c = self._cell(x, h, c)
        return (h, c) if batched else (h.squeeze(0), c.squeeze(0))


class GRUCell(RNNCellBase):
    """One GRU step. Gates r, z, n."""

    _mode = "GRU"

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, device=None, dtype=None) -> None:
        super().__init__(input_size, hidden_size, bias, 3, device, dtype)

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        batched = self._check(input)
        x = input if batched else input.unsqueeze(0)
        h, _ = self._cell(x, self._state(hx, x, batched), None)
        return h if batched else h.squeeze(0)
