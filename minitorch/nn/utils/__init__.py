"""``nn.utils``: gradient clipping, parameter <-> vector conversion, packed sequences (``nn.utils.rnn``),
weight and spectral normalisation (the hook API), parametrizations (``parametrize``,
``parametrizations``), pruning (``prune``), conv/linear + BatchNorm fusion and ``stateless.functional_call``."""
from . import fusion, init, memory_format, parametrizations, parametrize, prune, rnn, stateless
from .clip_grad import clip_grad_norm, clip_grad_norm_, clip_grad_value_, get_total_norm
from .clip_grads import clip_grads_with_norm_
from .convert_parameters import parameters_to_vector, vector_to_parameters
from .fusion import fuse_conv_bn_eval, fuse_conv_bn_weights, fuse_linear_bn_eval, fuse_linear_bn_weights
from .init import skip_init
from .memory_format import convert_conv2d_weight_memory_format, convert_conv3d_weight_memory_format
from .spectral_norm import remove_spectral_norm, spectral_norm
from .weight_norm import remove_weight_norm, weight_norm

__all__ = ["clip_grad_norm_", "clip_grad_norm", "clip_grad_value_", "get_total_norm",
           "parameters_to_vector", "vector_to_parameters", "rnn", "weight_norm", "remove_weight_norm",
           "parametrize", "parametrizations", "spectral_norm", "remove_spectral_norm", "fuse_conv_bn_eval",
           "fuse_conv_bn_weights", "fuse_linear_bn_eval", "fuse_linear_bn_weights", "stateless",
           "clip_grads_with_norm_", "skip_init", "convert_conv2d_weight_memory_format",
           "convert_conv3d_weight_memory_format", "init", "memory_format"]
