"""L-BFGS through SciPy, on the network's flat parameter vector."""

from __future__ import annotations

import os
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass, field

import numpy as np
import scipy.optimize
from threadpoolctl import ThreadpoolController

__all__ = ["LBFGS", "LBFGSResult"]


@dataclass
class LBFGSResult:
    """Outcome of :meth:`LBFGS.minimize`.

    Attributes
    ----------
    x : ndarray of shape (n_params,)
        Final parameters (float64, as SciPy works in double precision).
    fun : float
        Objective at ``x``.
    n_iter : int
        Iterations run.
    converged : bool
        Whether SciPy reported success.
    message : str
        SciPy's status message.
    losses : list of float
        Objective after each iteration.
    interrupted : bool
        Whether a ``KeyboardInterrupt`` stopped the run; ``x`` is then the
        last completed iterate.
    stopped : bool
        Whether the callback asked to stop.

    Examples
    --------
    >>> import numpy as np
    >>> from skdeep.optim import LBFGS
    >>> result = LBFGS().minimize(lambda x: (float(x @ x), 2 * x), np.ones(2))
    >>> result.n_iter == len(result.losses)
    True
    """

    x: np.ndarray
    fun: float
    n_iter: int
    converged: bool
    message: str
    losses: list = field(default_factory=list)
    interrupted: bool = False
    stopped: bool = False


@dataclass(frozen=True)
class LBFGS:
    """Limited-memory BFGS (``scipy.optimize.minimize(method='L-BFGS-B')``).

    Parameters
    ----------
    max_iter : int, default=200
        Maximum number of iterations.
    max_fun : int, default=15000
        Maximum number of objective evaluations.
    tol : float, default=1e-4
        Stop when the largest gradient component falls below ``tol``.
    ftol : float or None, default=None
        Stop when the relative decrease of the objective falls below ``ftol``;
        None keeps SciPy's default (about 2.2e-9).
    maxls : int or None, default=None
        Maximum line-search steps per iteration; None keeps SciPy's default.

    Notes
    -----
    SciPy's implementation works in float64; a float32 network is evaluated
    in float32 on a float32 copy of each iterate.

    Examples
    --------
    >>> import numpy as np
    >>> from skdeep.optim import LBFGS
    >>> result = LBFGS(tol=1e-10).minimize(lambda x: (float(x @ x), 2 * x), np.ones(3))
    >>> result.converged, np.round(result.x, 6)
    (True, array([0., 0., 0.]))
    """

    max_iter: int = 200
    max_fun: int = 15000
    tol: float = 1e-4
    ftol: float | None = None
    maxls: int | None = None

    def minimize(
        self,
        fun: Callable[[np.ndarray], tuple[float, np.ndarray]],
        x0: np.ndarray,
        callback: Callable[[int, float], None] | None = None,
    ) -> LBFGSResult:
        """Minimise ``fun`` from ``x0``.

        Parameters
        ----------
        fun : callable
            ``fun(x) -> (objective, gradient)`` for a flat float64 ``x``.
        x0 : ndarray of shape (n_params,)
            Starting point.
        callback : callable, default=None
            ``callback(iteration, objective, x)`` after each iteration;
            returning True stops the run.

        Returns
        -------
        result : LBFGSResult
        """
        losses: list[float] = []
        last_x = np.array(x0, dtype=np.float64)
        stopped = []
        options = {"maxfun": self.max_fun, "maxiter": self.max_iter, "gtol": self.tol}
        if self.ftol is not None:
            options["ftol"] = self.ftol
        if self.maxls is not None:
            options["maxls"] = self.maxls

        def on_iteration(intermediate_result):
            last_x[:] = intermediate_result.x
            losses.append(float(intermediate_result.fun))
            if callback is not None and callback(len(losses), losses[-1], last_x):
                stopped.append(True)
                raise StopIteration  # SciPy ends the run at this iterate

        try:
            with _quiet_foreign_blas():
                res = scipy.optimize.minimize(
                    fun,
                    np.asarray(x0, dtype=np.float64),
                    method="L-BFGS-B",
                    jac=True,
                    callback=on_iteration,
                    options=options,
                )
        except KeyboardInterrupt:
            return LBFGSResult(
                x=last_x,
                fun=losses[-1] if losses else float(fun(last_x)[0]),
                n_iter=len(losses),
                converged=False,
                message="interrupted",
                losses=losses,
                interrupted=True,
            )
        return LBFGSResult(
            x=res.x,
            fun=float(res.fun),
            n_iter=min(int(res.nit), self.max_iter),
            converged=bool(res.success),
            message=str(res.message),
            losses=losses,
            stopped=bool(stopped),
        )


def _quiet_foreign_blas():
    """Limit every BLAS but NumPy's to one thread (a context manager).

    Wheels of SciPy ship their own OpenBLAS, which L-BFGS-B calls between
    the objective's NumPy products. Two OpenBLAS thread pools busy-wait in
    turn and fight for the cores, costing milliseconds per switch (about 15x
    slower fits on two cores). With SciPy's pool at one thread, its calls run
    on the calling thread and nothing is left spinning.
    """
    global _FOREIGN_BLAS
    if _FOREIGN_BLAS is None:
        # Scanning the loaded libraries takes milliseconds: do it once.
        numpy_dir = os.path.normpath(os.path.dirname(np.__file__))
        controller = ThreadpoolController()
        foreign = [
            lib.filepath
            for lib in controller.lib_controllers
            if lib.user_api == "blas"
            and not os.path.normpath(lib.filepath).startswith(numpy_dir)
            and not os.path.basename(os.path.dirname(lib.filepath)).startswith("numpy")
        ]
        _FOREIGN_BLAS = controller.select(filepath=foreign) if foreign else False
    if _FOREIGN_BLAS is False:
        return nullcontext()
    return _FOREIGN_BLAS.limit(limits=1)


_FOREIGN_BLAS = None
