"""``minitorch.func``: composable function transforms, as ``torch.func`` (functorch).

``grad``, ``grad_and_value``, ``vjp``, ``jacrev`` are reverse mode on minitorch's engine;
``jvp``, ``jacfwd``, ``linearize``, ``hessian`` get forward mode from two reverse passes (the
double-vjp trick, see ``_forward.py``); ``vmap`` loops over the batch and stacks (``_vmap.py``);
``functional_call`` / ``stack_module_state`` turn modules into functions of their parameters.
The transforms compose: ``vmap(grad(f))``, ``grad(grad(f))``, ``jacrev(jacrev(f))``, ``hessian``.
"""
from ._forward import hessian, jacfwd, jvp, linearize
from ._module import functional_call, replace_all_batch_norm_modules_, stack_module_state
from ._reverse import grad, grad_and_value, jacrev, vjp
from ._vmap import vmap

__all__ = [
    "grad", "grad_and_value", "vjp", "jvp", "jacrev", "jacfwd", "hessian", "linearize", "vmap",
    "functional_call", "stack_module_state", "replace_all_batch_norm_modules_",
]
