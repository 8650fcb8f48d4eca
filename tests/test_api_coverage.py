"""The PyTorch names minitorch covers, pinned: each must exist in torch (the name is honest) and in
minitorch (nothing silently disappears). A name joins these lists when it is built and tested elsewhere."""
from __future__ import annotations

import pytest

import minitorch

from .helpers import require_torch

torch = require_torch()

TOP_LEVEL = """
FloatTensor Generator Size Tensor abs absolute acos acosh add addbmm addcdiv addcmul addmm addmv addr all allclose
bfloat16 pca_lowrank svd_lowrank
amax amin any arange arccos arccosh arcsin arcsinh arctan arctan2 arctanh argmax argmin argsort argwhere as_tensor
asin asinh atan atan2 atanh atleast_1d atleast_2d atleast_3d baddbmm bernoulli bincount block_diag bmm bool
broadcast_shapes broadcast_tensors broadcast_to bucketize can_cast cartesian_prod cat cdist ceil cholesky
cholesky_inverse cholesky_solve chunk clamp clamp_max clamp_min clip clone column_stack combinations concat
concatenate copysign cos cosh count_nonzero cross cummax cummin cumprod cumsum deg2rad det detach device diag
diag_embed diagonal diff digamma dist div divide dot double dsplit dstack dtype einsum empty empty_like enable_grad
eq equal erf erfc erfinv exp exp2 expm1 eye finfo flatten flip fliplr flipud float float16 float32 float64
float_power floor floor_divide fmod frac from_dlpack from_numpy full full_like gather ge get_default_dtype
get_rng_state gt half heaviside histc hsplit hstack hypot i0 iinfo index_add index_copy index_fill index_put
index_select inference_mode initial_seed inner int int16 int32 int64 int8 inverse is_floating_point is_grad_enabled
is_tensor isclose isfinite isinf isnan kron kthvalue le lerp lgamma linspace log log10 log1p log2 log_softmax
logaddexp logaddexp2 logcumsumexp logdet logical_and logical_not logical_or logical_xor logit logspace logsumexp
lu lu_solve lu_unpack
long lt manual_seed masked_fill masked_scatter masked_select matmul matrix_exp matrix_power max maximum mean median
meshgrid min minimum mm mode moveaxis movedim mul multinomial multiply mv mvlgamma nan_to_num nanmean nanmedian
nanquantile nansum narrow ne neg negative no_grad nonzero norm normal numel ones ones_like outer permute pinverse
poisson polygamma pow prod promote_types put qr quantile rad2deg rand rand_like randint randint_like randn
randn_like randperm reciprocal relu remainder repeat_interleave reshape result_type roll rot90 round row_stack rsqrt
scatter scatter_add searchsorted seed select set_default_dtype set_grad_enabled set_rng_state sgn sigmoid sign
signbit sin sinc sinh slogdet softmax sort split sqrt square squeeze stack std std_mean sub subtract sum svd
swapaxes swapdims t take take_along_dim tan tanh tensor tensor_split tensordot tile topk trace transpose
triangular_solve tril tril_indices triu triu_indices true_divide trunc uint8 unbind unflatten unique unsqueeze var
var_mean vsplit vstack where xlogy zeros zeros_like
aminmax corrcoef cov cumulative_trapezoid diagflat isin scatter_reduce trapezoid trapz unique_consecutive
unravel_index vander
compile testing version __version__
BoolTensor ByteTensor CharTensor DoubleTensor HalfTensor IntTensor LongTensor ShortTensor channels_last channels_last_3d
contiguous_format preserve_format memory_format layout strided get_default_device set_default_device set_printoptions
random default_generator set_num_threads get_num_threads set_num_interop_threads get_num_interop_threads
use_deterministic_algorithms are_deterministic_algorithms_enabled is_deterministic_algorithms_warn_only_enabled
set_float32_matmul_precision get_float32_matmul_precision is_inference_mode_enabled pi e inf nan newaxis
amp autocast is_autocast_enabled get_autocast_dtype set_autocast_dtype set_autocast_enabled is_autocast_cache_enabled
set_autocast_cache_enabled clear_autocast_cache autocast_increment_nesting autocast_decrement_nesting
get_autocast_gpu_dtype get_autocast_cpu_dtype is_autocast_cpu_enabled set_autocast_gpu_dtype set_autocast_cpu_dtype
func vmap
jit
OutOfMemoryError
abs_ acos_ acosh_ adaptive_avg_pool1d adaptive_max_pool1d addmv_ affine_grid_generator alpha_dropout alpha_dropout_
arccos_ arccosh_ arcsin_ arcsinh_ arctan_ arctanh_ asarray asin_ asinh_ atan_ atanh_ avg_pool1d batch_norm bilinear
binary_cross_entropy_with_logits ceil_ celu celu_ chain_matmul channel_shuffle clamp_ clamp_max_ clamp_min_ clip_ cond
constant_pad_nd conv1d conv2d conv3d conv_tbc conv_transpose1d conv_transpose2d conv_transpose3d convolution cos_
cosh_ cosine_embedding_loss cosine_similarity ctc_loss deg2rad_ detach_ dropout dropout_ eig embedding embedding_bag
embedding_renorm_ erf_ erfc_ exp2_ exp_ expm1_ feature_alpha_dropout feature_alpha_dropout_ feature_dropout
feature_dropout_ fill fill_ fix_ floor_ fork frac_ frobenius_norm frombuffer gcd_ get_deterministic_debug_mode
get_device get_device_module grid_sampler grid_sampler_2d grid_sampler_3d group_norm gru gru_cell hardshrink
hinge_embedding_loss i0_ index_put_ init_num_threads instance_norm is_anomaly_check_nan_enabled is_anomaly_enabled
is_complex is_inference is_neg is_nonzero is_same_size is_signed is_warn_always_enabled kl_div layer_norm lcm_ ldexp_
log10_ log1p_ log2_ log_ logit_ lstm lstm_cell lstsq margin_ranking_loss matrix_rank max_pool1d
max_pool1d_with_indices max_pool2d max_pool3d nan_to_num_ native_batch_norm native_channel_shuffle native_dropout
native_group_norm native_layer_norm neg_ negative_ nonzero_static norm_except_dim nuclear_norm pairwise_distance pdist
pixel_shuffle pixel_unshuffle poisson_nll_loss prelu rad2deg_ range reciprocal_ relu_ resize_as_ resolve_neg rms_norm
rnn_relu rnn_relu_cell rnn_tanh rnn_tanh_cell round_ rrelu rrelu_ rsqrt_ rsub scalar_tensor segment_reduce selu selu_
set_anomaly_enabled set_default_tensor_type set_deterministic_debug_mode set_flush_denormal set_warn_always sigmoid_
sin_ sinc_ sinh_ solve sqrt_ square_ symeig tan_ tanh_ threshold threshold_ triplet_margin_loss trunc_ typename wait
while_loop xlogy_ zero_
bitwise_and bitwise_or bitwise_xor bitwise_not bitwise_left_shift bitwise_right_shift hann_window hamming_window
blackman_window bartlett_window kaiser_window gcd lcm ldexp frexp nextafter fmax fmin igamma igammac isneginf isposinf
isreal msort ravel positive fix vdot ger histogram histogramdd gradient renorm as_strided as_strided_ as_strided_copy
as_strided_scatter diagonal_scatter select_scatter slice_scatter index_reduce empty_strided empty_permuted
split_with_sizes unsafe_chunk unsafe_split unsafe_split_with_sizes narrow_copy view_copy permute_copy t_copy
transpose_copy unsqueeze_copy squeeze_copy select_copy slice_copy expand_copy diagonal_copy unbind_copy split_copy
split_with_sizes_copy alias_copy detach_copy unfold_copy adjoint greater greater_equal less less_equal not_equal
complex64 complex128 cfloat cdouble real imag angle conj conj_physical resolve_conj is_conj complex polar view_as_real
view_as_complex fft stft istft
""".split()

TENSOR_METHODS = """
H T abs abs_ absolute acos acos_ acosh acosh_ add add_ addbmm addbmm_ addcdiv addcdiv_ addcmul addcmul_ addmm addmm_
addmv addmv_ addr addr_ all allclose amax amin any apply_ arccos arccos_ arccosh arccosh_ arcsin arcsin_ arcsinh
arcsinh_ arctan arctan2 arctan2_ arctan_ arctanh arctanh_ argmax argmin argsort argwhere asin asin_ asinh asinh_
atan atan2 atan2_ atan_ atanh atanh_ backward baddbmm baddbmm_ bernoulli bernoulli_ bmm bool broadcast_to byte
cauchy_ ceil char cholesky cholesky_inverse cholesky_solve chunk clamp clamp_ clamp_max clamp_max_ clamp_min
clamp_min_ clip clip_ clone contiguous copy_ copysign copysign_ cos cosh cosh_ count_nonzero cpu cross cuda cummax
cummin cumprod cumprod_ cumsum data data_ptr deg2rad deg2rad_ det detach detach_ device diag diag_embed diagonal
diff digamma digamma_ dim dist div div_ divide dot double dsplit dtype element_size eq equal erf erf_ erfc erfc_
erfinv erfinv_ exp exp2 exp2_ exp_ expand expand_as expm1 expm1_ exponential_ fill_ fill_diagonal_ flatten flip
fliplr flipud float float_power float_power_ floor floor_divide fmod fmod_ frac frac_ gather ge geometric_
get_device grad grad_fn gt half heaviside heaviside_ histc hsplit hypot hypot_ i0 i0_ index_add index_add_
index_copy index_copy_ index_fill index_fill_ index_put index_put_ index_select inner int inverse is_complex
is_contiguous is_cuda is_floating_point is_leaf isclose isfinite isinf isnan item itemsize kron kthvalue le lerp
lerp_ lgamma lgamma_ log log10 log1p log2 log_ log_normal_ log_softmax logaddexp logaddexp2 logcumsumexp logdet
lu lu_solve
logical_and logical_not logical_or logical_xor logit logit_ logsumexp long lt mH mT map_ masked_fill masked_fill_
masked_scatter masked_scatter_ masked_select matmul matrix_exp matrix_power max maximum mean median min minimum mm
mode moveaxis movedim mul mul_ multinomial multiply mv mvlgamma mvlgamma_ name nan_to_num nan_to_num_ nanmean
nanmedian nanquantile nansum narrow nbytes ndim ndimension ne neg neg_ negative nelement new_empty new_full new_ones
new_tensor new_zeros nonzero norm normal_ numel numpy outer permute pin_memory pinverse polygamma polygamma_ pow
pow_ prod put put_ qr quantile rad2deg rad2deg_ random_ reciprocal register_hook register_post_accumulate_grad_hook
relu relu_ remainder repeat repeat_interleave requires_grad requires_grad_ reshape reshape_as retain_grad
retains_grad roll rot90 round rsqrt scatter scatter_ scatter_add scatter_add_ select sgn sgn_ shape short sigmoid
sigmoid_ sign signbit sin sinc sinc_ sinh sinh_ size slogdet softmax sort split sqrt sqrt_ square squeeze squeeze_
std stride sub sub_ subtract sum sum_to_size svd swapaxes swapaxes_ swapdims swapdims_ t t_ take take_along_dim tan
tan_ tanh tanh_ tensor_split tile to tolist topk trace transpose transpose_ triangular_solve tril tril_ triu triu_
true_divide trunc type type_as unbind unflatten unfold uniform_ unique unsqueeze unsqueeze_ var view view_as vsplit
where xlogy xlogy_ zero_
aminmax bincount corrcoef cov diagflat scatter_reduce scatter_reduce_ unique_consecutive
is_pinned
new layout
bitwise_and bitwise_and_ bitwise_or bitwise_or_ bitwise_xor bitwise_xor_ bitwise_not bitwise_not_ bitwise_left_shift
bitwise_left_shift_ bitwise_right_shift bitwise_right_shift_ gcd gcd_ lcm lcm_ ldexp ldexp_ frexp nextafter nextafter_
fmax fmin igamma igamma_ igammac igammac_ isneginf isposinf isreal msort ravel positive fix fix_ vdot ger histogram
renorm renorm_ as_strided as_strided_ as_strided_scatter diagonal_scatter select_scatter slice_scatter index_reduce
index_reduce_ split_with_sizes unsafe_chunk unsafe_split unsafe_split_with_sizes narrow_copy adjoint storage_offset
new_empty_strided greater greater_ greater_equal greater_equal_ less less_ less_equal less_equal_ not_equal not_equal_
cos_ sin_ ceil_ floor_ round_ trunc_ log1p_ log2_ log10_ sign_ rsqrt_ reciprocal_ square_ cumsum_ remainder_ divide_
multiply_ subtract_ true_divide_ floor_divide_ eq_ ne_ lt_ le_ gt_ ge_ logical_and_ logical_or_ logical_xor_
logical_not_ negative_ absolute_ is_cpu is_signed is_nonzero is_same_size is_inference is_neg is_meta is_quantized
is_sparse is_sparse_csr is_nested is_mkldnn is_shared is_distributed is_xla is_mps is_ipu is_xpu is_mtia is_maia
is_vulkan output_nr resize resize_as share_memory_ dim_order hardshrink prelu resolve_neg const_data_ptr is_set_to
eig lstsq solve symeig nonzero_static
real imag angle conj conj_physical conj_physical_ resolve_conj is_conj cfloat cdouble stft istft
""".split()

NN_MODULES = """
AdaptiveAvgPool1d AdaptiveAvgPool2d AdaptiveAvgPool3d AdaptiveMaxPool1d AdaptiveMaxPool2d AdaptiveMaxPool3d
AlphaDropout AvgPool1d AvgPool2d AvgPool3d BCELoss BCEWithLogitsLoss BatchNorm1d BatchNorm2d BatchNorm3d Bilinear
CELU CTCLoss CircularPad1d CircularPad2d CircularPad3d ConstantPad1d ConstantPad2d ConstantPad3d Conv1d Conv2d
Conv3d ConvTranspose1d ConvTranspose2d ConvTranspose3d CosineEmbeddingLoss CosineSimilarity CrossEntropyLoss Dropout
Dropout1d Dropout2d Dropout3d ELU Embedding EmbeddingBag Flatten Fold GELU GLU GRU GRUCell GaussianNLLLoss GroupNorm
Hardshrink Hardsigmoid Hardswish Hardtanh HingeEmbeddingLoss HuberLoss Identity InstanceNorm1d InstanceNorm2d
InstanceNorm3d KLDivLoss L1Loss LSTM LSTMCell LayerNorm LazyBatchNorm1d LazyBatchNorm2d LazyBatchNorm3d LazyConv1d
LazyConv2d LazyConv3d LazyConvTranspose1d LazyConvTranspose2d LazyConvTranspose3d LazyInstanceNorm1d
LazyInstanceNorm2d LazyInstanceNorm3d LazyLinear LeakyReLU Linear LocalResponseNorm LogSigmoid LogSoftmax MSELoss
MarginRankingLoss MaxPool1d MaxPool2d MaxPool3d Mish Module ModuleDict ModuleList MultiLabelMarginLoss
MultiLabelSoftMarginLoss MultiMarginLoss MultiheadAttention NLLLoss PReLU PairwiseDistance Parameter ParameterDict
ParameterList PixelShuffle PixelUnshuffle PoissonNLLLoss RMSNorm RNN RNNBase RNNCell RNNCellBase RReLU ReLU ReLU6
ReflectionPad1d ReflectionPad2d ReflectionPad3d ReplicationPad1d ReplicationPad2d ReplicationPad3d SELU Sequential
SiLU Sigmoid SmoothL1Loss SoftMarginLoss Softmax Softmax2d Softmin Softplus Softshrink Softsign Tanh Tanhshrink
Threshold Transformer TransformerDecoder TransformerDecoderLayer TransformerEncoder TransformerEncoderLayer
TripletMarginLoss TripletMarginWithDistanceLoss Unflatten Unfold UninitializedBuffer UninitializedParameter Upsample
UpsamplingBilinear2d UpsamplingNearest2d ZeroPad1d ZeroPad2d ZeroPad3d
AdaptiveLogSoftmaxWithLoss ChannelShuffle LPPool1d LPPool2d LPPool3d MaxUnpool1d MaxUnpool2d MaxUnpool3d
DataParallel parallel
Buffer NLLLoss2d CrossMapLRN2d SyncBatchNorm
FractionalMaxPool2d FractionalMaxPool3d
""".split()

FUNCTIONAL = """
adaptive_avg_pool1d adaptive_avg_pool2d adaptive_avg_pool3d adaptive_max_pool1d adaptive_max_pool1d_with_indices
adaptive_max_pool2d adaptive_max_pool2d_with_indices adaptive_max_pool3d adaptive_max_pool3d_with_indices
affine_grid alpha_dropout avg_pool1d avg_pool2d avg_pool3d batch_norm bilinear binary_cross_entropy
binary_cross_entropy_with_logits celu celu_ conv1d conv2d conv3d conv_transpose1d conv_transpose2d conv_transpose3d
cosine_embedding_loss cosine_similarity cross_entropy ctc_loss dropout dropout1d dropout2d dropout3d elu elu_
embedding embedding_bag feature_alpha_dropout fold gaussian_nll_loss gelu glu grid_sample group_norm gumbel_softmax
hardshrink hardsigmoid hardswish hardtanh hardtanh_ hinge_embedding_loss huber_loss instance_norm interpolate kl_div
l1_loss layer_norm leaky_relu leaky_relu_ linear local_response_norm log_softmax logsigmoid margin_ranking_loss
max_pool1d max_pool1d_with_indices max_pool2d max_pool2d_with_indices max_pool3d max_pool3d_with_indices mish
mse_loss multi_head_attention_forward multi_margin_loss multilabel_margin_loss multilabel_soft_margin_loss nll_loss
normalize one_hot pad pairwise_distance pixel_shuffle pixel_unshuffle poisson_nll_loss prelu relu relu6 relu_
rms_norm rrelu rrelu_ scaled_dot_product_attention selu selu_ sigmoid silu smooth_l1_loss soft_margin_loss softmax
softmin softplus softshrink softsign tanh tanhshrink threshold threshold_ triplet_margin_loss
triplet_margin_with_distance_loss unfold upsample
channel_shuffle lp_pool1d lp_pool2d lp_pool3d max_unpool1d max_unpool2d max_unpool3d upsample_bilinear
upsample_nearest
pdist conv_tbc native_channel_shuffle
fractional_max_pool2d fractional_max_pool2d_with_indices fractional_max_pool3d
fractional_max_pool3d_with_indices
""".split()

NN_UTILS = """
clip_grad clip_grad_norm clip_grad_norm_ clip_grad_value_ convert_parameters get_total_norm parameters_to_vector
parametrizations parametrize remove_spectral_norm remove_weight_norm rnn spectral_norm vector_to_parameters
weight_norm
fuse_conv_bn_eval fuse_conv_bn_weights fuse_linear_bn_eval fuse_linear_bn_weights fusion stateless
clip_grads_with_norm_ skip_init convert_conv2d_weight_memory_format convert_conv3d_weight_memory_format init
memory_format
""".split()

NN_UTILS_RNN = """
Iterable PackedSequence Tensor invert_permutation pack_padded_sequence pack_sequence pad_packed_sequence
pad_sequence unpack_sequence unpad_sequence
""".split()

OPTIMIZERS = """
ASGD Adadelta Adagrad Adam AdamW Adamax LBFGS NAdam Optimizer RAdam RMSprop Rprop SGD
Adafactor Muon
""".split()

SCHEDULERS = """
Any ChainedScheduler ConstantLR CosineAnnealingLR CosineAnnealingWarmRestarts Counter CyclicLR ExponentialLR
LRScheduler LambdaLR LinearLR MultiStepLR MultiplicativeLR OneCycleLR Optimizer PolynomialLR ReduceLROnPlateau
SequentialLR StepLR
""".split()

LINALG = """
LinAlgError cholesky cond cross det diagonal eigh eigvalsh inv lstsq matmul matrix_exp matrix_norm matrix_power
matrix_rank multi_dot norm pinv qr slogdet solve solve_triangular svd svdvals vander vector_norm
cholesky_ex inv_ex lu lu_factor lu_factor_ex lu_solve solve_ex vecdot
householder_product tensorinv tensorsolve eig eigvals
ldl_factor ldl_factor_ex ldl_solve
""".split()

SPECIAL = """
digamma entr erf erfc erfcx erfinv exp2 expit expm1 gammaln i0 i0e i1 i1e log1p log_ndtr log_softmax logit logsumexp
multigammaln ndtr ndtri polygamma psi round sinc softmax xlog1py xlogy zeta
gammainc gammaincc
airy_ai bessel_j0 bessel_j1 bessel_y0 bessel_y1 modified_bessel_i0 modified_bessel_i1 modified_bessel_k0
modified_bessel_k1 scaled_modified_bessel_k0 scaled_modified_bessel_k1 spherical_bessel_j0 chebyshev_polynomial_t
chebyshev_polynomial_u chebyshev_polynomial_v chebyshev_polynomial_w shifted_chebyshev_polynomial_t
shifted_chebyshev_polynomial_u shifted_chebyshev_polynomial_v shifted_chebyshev_polynomial_w hermite_polynomial_h
hermite_polynomial_he laguerre_polynomial_l legendre_polynomial_p
""".split()

DISTRIBUTIONS = """
AffineTransform Bernoulli Beta Binomial Categorical Cauchy Chi2 Dirichlet Distribution ExpTransform Exponential
Gamma Geometric Independent Laplace LogNormal MultivariateNormal NegativeBinomial Normal OneHotCategorical Poisson
StudentT Transform TransformedDistribution Uniform kl_divergence register_kl
AbsTransform CatTransform ComposeTransform CorrCholeskyTransform CumulativeDistributionTransform Gumbel HalfCauchy
HalfNormal IndependentTransform Kumaraswamy LKJCholesky LogisticNormal LowRankMultivariateNormal
LowerCholeskyTransform MixtureSameFamily Pareto PositiveDefiniteTransform PowerTransform RelaxedBernoulli
RelaxedOneHotCategorical ReshapeTransform SigmoidTransform SoftmaxTransform SoftplusTransform StackTransform
StickBreakingTransform TanhTransform VonMises Weibull Wishart biject_to identity_transform transform_to
ContinuousBernoulli ExponentialFamily FisherSnedecor GeneralizedPareto InverseGamma Multinomial
OneHotCategoricalStraightThrough normal bernoulli beta studentT one_hot_categorical exp_family
""".split()

DATA = """
BatchSampler ChainDataset ConcatDataset DataLoader Dataset IterableDataset RandomSampler Sampler SequentialSampler
StackDataset Subset SubsetRandomSampler TensorDataset WeightedRandomSampler default_collate default_convert
random_split
DistributedSampler get_worker_info
""".split()

AUTOGRAD = """
Function Variable backward enable_grad function functional grad grad_mode graph gradcheck
gradgradcheck inference_mode no_grad set_grad_enabled detect_anomaly set_detect_anomaly forward_ad
""".split()

AUTOGRAD_FUNCTIONAL = "hessian hvp jacobian jvp vhp vjp".split()
AUTOGRAD_FUNCTION = "Function FunctionCtx once_differentiable".split()
AUTOGRAD_GRAPH = "Node disable_saved_tensors_hooks save_on_cpu saved_tensors_hooks".split()
FUNC = """
functional_call grad grad_and_value hessian jacfwd jacrev jvp linearize replace_all_batch_norm_modules_
stack_module_state vjp vmap
""".split()
FORWARD_AD = "UnpackedDualTensor dual_level enter_dual_level exit_dual_level make_dual unpack_dual".split()
PYTREE = "TreeSpec tree_flatten tree_leaves tree_map tree_map_only tree_structure tree_unflatten".split()
UTILS_CHECKPOINT = "checkpoint checkpoint_sequential noop_context_fn".split()
UTILS_TENSORBOARD = "FileWriter RecordWriter SummaryWriter".split()
MODULE_BACKWARD_HOOKS = "register_backward_hook register_full_backward_hook register_full_backward_pre_hook".split()
AMP = "GradScaler autocast custom_bwd custom_fwd is_autocast_available".split()
CUDA_AMP = "GradScaler amp_definitely_not_available autocast custom_bwd custom_fwd".split()
CUDA = """
is_available is_bf16_supported is_initialized init device_count current_device set_device device device_of synchronize
get_device_name get_device_properties get_device_capability get_arch_list current_blas_handle utilization temperature
power_draw clock_rate memory_usage OutOfMemoryError empty_cache memory_allocated memory_reserved max_memory_allocated
max_memory_reserved reset_peak_memory_stats reset_max_memory_allocated reset_max_memory_cached
reset_accumulated_memory_stats memory_stats memory_stats_as_nested_dict memory_summary mem_get_info
set_per_process_memory_fraction get_per_process_memory_fraction memory_cached max_memory_cached Stream ExternalStream
Event StreamContext stream current_stream default_stream set_stream manual_seed manual_seed_all seed seed_all
initial_seed get_rng_state set_rng_state get_rng_state_all set_rng_state_all FloatTensor DoubleTensor HalfTensor
LongTensor IntTensor ShortTensor CharTensor ByteTensor BoolTensor nvtx amp memory streams random
""".split()
CUDA_NVTX = "range_push range_pop range_start range_end mark range".split()
UTILS_BENCHMARK = "Timer Measurement Compare TaskSpec Language Colorize select_unit trim_sigfig timer".split()
PROFILER = """
profile record_function schedule ProfilerAction ProfilerActivity supported_activities tensorboard_trace_handler
""".split()
AUTOGRAD_PROFILER = "profile record_function EventList FunctionEvent".split()
JIT = """
Attribute Error Final Future RecursiveScriptModule ScriptFunction ScriptModule TopLevelTracedModule annotate
enable_onednn_fusion export fork freeze fuser ignore interface is_scripting is_tracing isinstance load
onednn_fusion_enabled optimize_for_inference optimized_execution run_frozen_optimizations save script
script_if_tracing script_method set_fusion_strategy strict_fusion trace trace_module unused wait
""".split()
NN_UTILS_PRUNE = """
BasePruningMethod CustomFromMask Identity L1Unstructured LnStructured PruningContainer RandomStructured
RandomUnstructured custom_from_mask global_unstructured identity is_pruned l1_unstructured ln_structured
random_structured random_unstructured remove
""".split()
NN_UTILS_FUSION = "fuse_conv_bn_eval fuse_conv_bn_weights fuse_linear_bn_eval fuse_linear_bn_weights".split()
NN_PARALLEL = "DataParallel DistributedDataParallel data_parallel".split()
FFT = """
fft ifft fft2 ifft2 fftn ifftn rfft irfft rfft2 irfft2 rfftn irfftn hfft ihfft fftfreq rfftfreq fftshift ifftshift
hfft2 ihfft2 hfftn ihfftn
""".split()


GROUPS = [
    ("top level", TOP_LEVEL, lambda L: L),
    ("Tensor", TENSOR_METHODS, lambda L: L.Tensor),
    ("nn", NN_MODULES, lambda L: L.nn),
    ("nn.functional", FUNCTIONAL, lambda L: L.nn.functional),
    ("nn.utils", NN_UTILS, lambda L: L.nn.utils),
    ("nn.utils.rnn", NN_UTILS_RNN, lambda L: L.nn.utils.rnn),
    ("optim", OPTIMIZERS, lambda L: L.optim),
    ("optim.lr_scheduler", SCHEDULERS, lambda L: L.optim.lr_scheduler),
    ("linalg", LINALG, lambda L: L.linalg),
    ("special", SPECIAL, lambda L: L.special),
    ("distributions", DISTRIBUTIONS, lambda L: L.distributions),
    ("utils.data", DATA, lambda L: L.utils.data),
    ("autograd", AUTOGRAD, lambda L: L.autograd),
    ("autograd.functional", AUTOGRAD_FUNCTIONAL, lambda L: L.autograd.functional),
    ("autograd.function", AUTOGRAD_FUNCTION, lambda L: L.autograd.function),
    ("autograd.graph", AUTOGRAD_GRAPH, lambda L: L.autograd.graph),
    ("func", FUNC, lambda L: L.func),
    ("autograd.forward_ad", FORWARD_AD, lambda L: L.autograd.forward_ad),
    ("utils._pytree", PYTREE, lambda L: __import__(L.__name__ + ".utils._pytree").utils._pytree),
    ("utils.checkpoint", UTILS_CHECKPOINT, lambda L: __import__(L.__name__ + ".utils.checkpoint").utils.checkpoint),
    ("utils.tensorboard", UTILS_TENSORBOARD,
     lambda L: __import__(L.__name__ + ".utils.tensorboard").utils.tensorboard),
    ("nn.Module backward hooks", MODULE_BACKWARD_HOOKS, lambda L: L.nn.Module),
    ("amp", AMP, lambda L: L.amp),
    ("cuda.amp", CUDA_AMP, lambda L: L.cuda.amp),
    ("cuda", CUDA, lambda L: L.cuda),
    ("cuda.nvtx", CUDA_NVTX, lambda L: L.cuda.nvtx),
    ("utils.benchmark", UTILS_BENCHMARK,
     lambda L: __import__(L.__name__ + ".utils.benchmark").utils.benchmark),
    ("profiler", PROFILER, lambda L: __import__(L.__name__ + ".profiler").profiler),
    ("autograd.profiler", AUTOGRAD_PROFILER, lambda L: L.autograd.profiler),
    ("jit", JIT, lambda L: L.jit),
    ("nn.utils.prune", NN_UTILS_PRUNE, lambda L: __import__(L.__name__ + ".nn.utils.prune").nn.utils.prune),
    ("nn.utils.fusion", NN_UTILS_FUSION, lambda L: L.nn.utils.fusion),
    ("nn.utils.stateless", ["functional_call"], lambda L: L.nn.utils.stateless),
    ("nn.parallel", NN_PARALLEL, lambda L: L.nn.parallel),
    ("fft", FFT, lambda L: L.fft),
    ("version", ["__version__", "cuda", "debug", "git_version", "hip"], lambda L: L.version),
]


@pytest.mark.parametrize("where,names,space", GROUPS, ids=[g[0] for g in GROUPS])
def test_covered_names_exist_in_torch_and_in_minitorch(where, names, space):
    not_torch = [n for n in names if not hasattr(space(torch), n)]
    assert not not_torch, f"{where}: listed as PyTorch names but torch has no {not_torch}"
    missing = [n for n in names if not hasattr(space(minitorch), n)]
    assert not missing, f"{where}: minitorch lost {missing}"
    assert len(set(names)) == len(names), f"{where}: duplicate names"


def test_in_place_methods_keep_their_out_of_place_twin():
    """Every ``x.op_()`` minitorch has comes with ``x.op()`` where torch has both."""
    lonely = [n for n in TENSOR_METHODS if n.endswith("_") and not n.startswith("_")
              and hasattr(torch.Tensor, n[:-1]) and not hasattr(minitorch.Tensor, n[:-1])]
    assert not lonely, f"in-place methods without their out-of-place form: {lonely}"
