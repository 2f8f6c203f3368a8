"""Many networks trained as one: a pack's epochs, with per-member early stopping.

A pack (:class:`~skdeep.nn.Network` with ``n_members=k``) holds ``k``
independent networks in stacked arrays, so every step pays its Python and
element-wise overhead once for all of them and makes one batched product per
layer. Each member trains on its own rows, in its own order, and is judged
on its own held-out rows after every epoch; a member whose held-out loss has
not improved for ``patience`` epochs leaves the pack (the pack is rebuilt
without it, so it costs nothing more), and every member ends with the
weights of its best epoch.
"""

from __future__ import annotations

import math
import time
from dataclasses import fields, replace

import numpy as np
from threadpoolctl import threadpool_limits

from ..exceptions import TrainingDivergedError
from ..nn.losses import plain_loss
from ..optim import decay_weights
from ._inference import PREDICT_BUFFER_BYTES
from ._members import Members, PackProgress, held_out
from ._records import (
    Observer,
    Outcome,
    Problem,
    Settings,
    SilentObserver,
    TrainState,
)
from ._rules import StepRules
from ._stochastic import RUNAWAY_FACTOR

__all__ = ["fit_pack"]


#: Rows of a pack's products (members x batch) below which it trains on
#: one BLAS thread (see _blas_threads).
SMALL_PRODUCT_ROWS = 2048


def fit_pack(
    problem: Problem,
    state: TrainState,
    members: Members,
    settings: Settings,
    observer: Observer | None = None,
) -> tuple[PackProgress, Outcome]:
    """Train a pack's members as one, each stopping on its own held-out loss.

    Every epoch, each member shuffles its training rows with its own source,
    and the pack makes one update per batch for all of them (a batch holds
    every member's next rows, ``(n_members, batch, features)``); then each
    member's held-out loss is measured, its best epoch's weights kept, and a
    member without a better loss for ``settings.patience`` epochs leaves the
    pack. Training ends when no member is left, after ``settings.max_iter``
    epochs, or at the end of the first epoch past ``settings.max_time``
    seconds (at least one epoch runs). Members that train on the same rows
    in the same order with the same seeds train the weights separate
    networks would (to rounding).

    Parameters
    ----------
    problem : Problem
        ``network`` is the pack; ``X``, ``target`` and ``sample_weight`` hold
        every row any member trains or is judged on.
    state : TrainState
        The pack's starting parameters and solver state
        (:func:`start_solver`); on return, every member's best epoch.
    members : Members
        Each member's rows, shuffling source and factors.
    settings : Settings
        ``max_iter``, ``batch_size`` (an int), ``optimizer``, ``schedule``
        (the step-by-step shapes run over ``max_iter`` epochs), weight decay
        and dropout schedules, ``step_factors``, ``patience``, ``max_time``,
        ``verbose``.
    observer : Observer or None, default=None
        Told of each epoch; None ignores them.

    Returns
    -------
    progress : PackProgress
        Member by member: epochs, best epoch and loss, why it stopped.
    outcome : Outcome
        A message if ``max_time`` cut training short, and whether Ctrl-C
        ended it (after at least one epoch: each member keeps its best).

    Raises
    ------
    TrainingDivergedError
        If every member's training stopped being finite, or its held-out
        loss ran away (past ``RUNAWAY_FACTOR`` times where it started).

    Examples
    --------
    >>> import numpy as np
    >>> from skdeep.nn import Network
    >>> from skdeep.optim import Adam, LearningRateSchedule
    >>> from skdeep.training import (
    ...     Members, Problem, Settings, TrainState, fit_pack, start_solver)
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(300, 3))
    >>> y = (X[:, 0] > 0).astype(float).reshape(-1, 1)
    >>> pack = Network([3, 8, 1], "tanh", "binary_log_loss", n_members=4)
    >>> state = TrainState(pack.init_params(rng, np.float64),
    ...                    pack.init_stats(np.float64))
    >>> settings = Settings(max_iter=30, tol=0.0, n_iter_no_change=np.inf,
    ...                     optimizer=Adam(), batch_size=32, patience=5,
    ...                     schedule=LearningRateSchedule("constant", 0.01))
    >>> start_solver(state, settings.optimizer, settings.schedule,
    ...              {"solver": "adam", "schedule": {}})
    >>> folds = np.array_split(rng.permutation(300), 4)  # bagging: 4 folds
    >>> members = Members(
    ...     [np.concatenate(folds[:m] + folds[m + 1:]) for m in range(4)],
    ...     folds, [np.random.RandomState(m) for m in range(4)])
    >>> progress, outcome = fit_pack(Problem(pack, X, y, None, 0.0), state,
    ...                              members, settings)
    >>> bool((progress.best_loss < 0.3).all()), progress.best_raw.shape
    (True, (4, 75, 1))
    """
    observer = SilentObserver() if observer is None else observer
    # A member whose training overflows is found by its non-finite loss or
    # weights and leaves the pack; NumPy's warnings would only be noise.
    rows = members.n_members * min(settings.batch_size, problem.X.shape[0])
    with np.errstate(all="ignore"), _blas_threads(rows):
        return _fit_pack(problem, state, members, settings, observer)


def _blas_threads(rows: int):
    """One BLAS thread for the products of small batches, the default otherwise.

    A pack's products have ``members x batch`` rows; below
    ``SMALL_PRODUCT_ROWS`` a second BLAS thread costs more than it gives
    (TabularNet on 2 cores: 1.27x slower at 320 rows, 1.06x at 640, even at
    1,280, 0.93x at 2,560).
    """
    return threadpool_limits(1 if rows < SMALL_PRODUCT_ROWS else None, user_api="blas")


def _fit_pack(problem, state, members, settings, observer):
    run = _PackRun(problem, state, members, settings)
    progress = PackProgress.start(run.k)
    message, interrupted = None, False
    start = time.perf_counter()
    try:
        for epoch in range(1, settings.max_iter + 1):
            began = time.perf_counter()
            task = observer.begin("epoch")
            loss = run.epoch()
            run.judge(epoch, loss, progress)
            progress.epoch_seconds.append(time.perf_counter() - began)
            if settings.verbose and (
                settings.verbose > 1 or time.perf_counter() - run.reported >= 2.0
            ):
                _report(epoch, run, progress)
            stop = observer.end(task, run.snapshot)
            if stop:
                progress.stopped[run.active] = "interrupted"
                break
            if not run.active.size:
                break
            if settings.max_time is not None and (
                time.perf_counter() - start >= settings.max_time
                and epoch < settings.max_iter
            ):
                progress.stopped[run.active] = "max_time"
                message = (
                    f"max_time={settings.max_time:g}s ended training after "
                    f"{epoch} epoch(s), with {run.active.size} member(s) still "
                    "improving."
                )
                break
        else:
            progress.stopped[run.active] = "max_iter"
    except KeyboardInterrupt:
        if not progress.loss_curve:
            raise  # no epoch completed: nothing to keep
        progress.stopped[run.active] = "interrupted"
        interrupted = True
    if np.all(progress.stopped == "diverged"):
        raise TrainingDivergedError(run.divergence)
    run.finish(progress)
    if settings.verbose:
        _summary(run, progress, time.perf_counter() - start)
    return progress, Outcome(message, interrupted)


class _PackRun:
    """The state of a pack's training: what compacts when members leave."""

    def __init__(self, problem, state, members, settings):
        self.problem, self.settings = problem, settings
        self.full = problem.network  # every member, for the final weights
        self.network = problem.network
        self.k = self.network.n_members
        if self.k is None or members.n_members != self.k:
            raise ValueError("fit_pack needs a pack with one Members entry each.")
        self.state = state
        self.active = np.arange(self.k)
        self.dtype = state.params.flat.dtype
        self.members = members
        self.orders = [np.asarray(rows, dtype=np.intp) for rows in members.train_rows]
        n_train = max(len(rows) for rows in self.orders)
        self.batch_size = int(min(settings.batch_size, max(n_train, 1)))
        self.n_batches = -(-n_train // self.batch_size)
        self.rules_args = (settings.max_iter * self.n_batches, state.step)
        self.val = held_out(problem, members.val_rows, self.dtype)
        self.plain_loss = plain_loss(self.network.loss)
        rows = self.full.member_rows
        self.best = rows(state.params.flat).copy()
        self.best_stats = self.full.vectors.state.rows(state.stats.flat).copy()
        self.no_improvement = np.zeros(self.k, dtype=int)
        self.divergence = "the training loss became nan"
        self.reported = time.perf_counter()
        self._build()
        # What a runaway held-out loss is measured against: the larger of the
        # loss at the start and the loss of an all-zero output (a floor on
        # the target's own scale), member by member.
        start, raw = self._held_out_losses()
        zero = np.array(
            [
                self.plain_loss.loss_gradient(
                    np.zeros_like(raw[m, : self.val.counts[m]]),
                    self.val.target[m],
                    self.val.weight[m],
                )
                for m in range(self.k)
            ]
        )
        self.reference = np.maximum(start, zero)

    def _build(self) -> None:
        """(Re)make what depends on the members training."""
        network, dtype = self.network, self.dtype
        self.grads = network.unpack(np.empty(network.n_params, dtype))
        self.workspace = network.workspace(self.batch_size, dtype)
        factors = None
        if self.members.learning_rates is not None or (
            self.members.weight_decays is not None
        ):
            lr, wd = self.members.learning_rates, self.members.weight_decays
            factors = (
                None if lr is None else np.asarray(lr)[self.active],
                None if wd is None else np.asarray(wd)[self.active],
            )
        self.rules = StepRules(network, self.settings, dtype, *self.rules_args, factors)
        self.buffers = {}

    # -- one epoch ---------------------------------------------------------------
    def epoch(self) -> float:
        """Shuffle, then one update per batch; return the mean training loss."""
        state, network = self.state, self.network
        optimizer = self.settings.optimizer
        for m in self.active:
            # Permuting the previous order, as a single network's epochs do.
            permutation = np.arange(len(self.orders[m]))
            self.members.rngs[m].shuffle(permutation)
            self.orders[m] = self.orders[m][permutation]
        # Members with fewer rows are padded with rows of weight zero, which
        # count for nothing in the loss or its gradient.
        counts = np.array([len(self.orders[m]) for m in self.active])
        longest = counts.max()
        order = np.stack([np.resize(self.orders[m], longest) for m in self.active])
        padded = None
        if (counts < longest).any():
            padded = np.arange(longest) >= counts[:, None]
        total = 0.0
        for start in range(0, longest, self.batch_size):
            stop = start + self.batch_size
            idx = order[:, start:stop]
            pad = None if padded is None else padded[:, start:stop]
            X, target, weight, l2 = self._batch(idx, pad)
            decay = self.rules.before_step(state)
            loss = network.loss_gradient(
                state.params,
                self.grads,
                X,
                target,
                weight,
                l2,
                self.workspace,
                dropout_step=state.step,
            )
            total += loss * idx.shape[1]
            if network.has_state:
                network.update_stats(self.workspace, state.stats)
            rate = self.rules.rate(state.schedule.learning_rate)
            if decay:
                decay_weights(
                    state.params.flat,
                    self.rules.decay_rate(rate),
                    decay,
                    self.rules.decay_pieces,
                )
            optimizer.update(state.params.flat, self.grads.flat, state.optimizer, rate)
            state.step += 1
        return total / (longest * self.active.size)

    def _batch(self, idx, pad=None):
        """Gather every member's rows of a batch into kept buffers."""
        problem, size = self.problem, idx.shape[1]
        buffers = self.buffers.get(size)
        if buffers is None:
            X = problem.X
            buffers = (
                np.empty((*idx.shape, X.shape[1]), self.dtype),
                np.empty((*idx.shape, *problem.target.shape[1:]), problem.target.dtype),
            )
            self.buffers[size] = buffers
        X = np.take(problem.X, idx, axis=0, out=buffers[0], mode="clip")
        target = np.take(problem.target, idx, axis=0, out=buffers[1], mode="clip")
        if problem.sample_weight is None and pad is None:
            return X, target, 1.0 / size, problem.alpha / size
        if problem.sample_weight is None:
            weight = np.ones(idx.shape)
        else:
            weight = problem.sample_weight[idx]
        if pad is not None:
            weight = np.where(pad, 0.0, weight)
        totals = weight.sum(axis=1)
        scale = np.divide(1.0, totals, out=np.zeros_like(totals), where=totals > 0)
        weight = (weight * scale[:, None]).astype(self.dtype, copy=False)
        return X, target, weight, (problem.alpha * scale).reshape(-1, 1, 1)

    # -- after an epoch ------------------------------------------------------------
    def judge(self, epoch, loss, progress) -> None:
        """Score every member on its held-out rows; keep bests; let some go."""
        network, state = self.network, self.state
        losses, raw = self._held_out_losses()
        progress.loss_curve.append(loss)
        curve = np.full(self.k, np.nan)
        curve[self.active] = losses
        progress.validation_curve.append(curve)
        progress.n_iter[self.active] += 1
        rows = network.member_rows(state.params.flat)
        finite = np.isfinite(losses) & np.isfinite(rows).all(axis=1)
        # A loss this many times where it started has run away, even if finite.
        finite &= ~(losses > RUNAWAY_FACTOR * self.reference[self.active])
        better = finite & (losses < progress.best_loss[self.active])
        if better.any():
            ids = self.active[better]
            self.best[ids] = rows[better]
            self.best_stats[ids] = network.vectors.state.rows(state.stats.flat)[better]
            progress.best_loss[ids] = losses[better]
            progress.best_epoch[ids] = epoch
            if progress.best_raw is None:
                progress.best_raw = np.full((self.k, *raw.shape[1:]), np.nan)
            progress.best_raw[ids] = raw[better]
        self.no_improvement[self.active] = np.where(
            better, 0, self.no_improvement[self.active] + 1
        )
        leaving = ~finite
        progress.stopped[self.active[leaving]] = "diverged"
        if leaving.any():
            self.divergence = (
                "the held-out loss of every member became infinite or grew more "
                f"than {RUNAWAY_FACTOR:,.0f} times where it started"
            )
        patience = self.settings.patience
        if patience is not None:
            tired = finite & (self.no_improvement[self.active] >= patience)
            progress.stopped[self.active[tired]] = "patience"
            leaving |= tired
        if leaving.any():
            self._leave(~leaving)

    def _held_out_losses(self):
        """Each training member's held-out loss, and its raw scores there."""
        network, state, val = self.network, self.state, self.val
        rows = val.rows[self.active]
        n_out = network.layer_units[-1]
        raw = np.empty((*rows.shape, n_out), self.dtype)
        chunk = max(64, PREDICT_BUFFER_BYTES // (max(network.layer_units[1:]) * 8))
        for start in range(0, rows.shape[1], chunk):
            X = self.problem.X[rows[:, start : start + chunk]]
            raw[:, start : start + chunk] = network.predict_raw(
                state.params, X, chunk_rows=X.shape[1], stats=state.stats
            )
        losses = np.empty(self.active.size)
        with np.errstate(all="ignore"):
            for i, m in enumerate(self.active):
                n = val.counts[m]
                losses[i] = self.plain_loss.loss_gradient(
                    raw[i, :n].copy(), val.target[m][:n], val.weight[m]
                )
        return losses, raw

    def _leave(self, stay) -> None:
        """Rebuild the pack without the members that stopped."""
        if not stay.any():
            self.active = self.active[stay]
            return
        keep = np.flatnonzero(stay)
        network, state = self.network, self.state
        vectors = network.vectors
        params = vectors.take_members(state.params.flat, keep)
        stats = vectors.take_members(state.stats.flat, keep, state=True)
        n_params = network.n_params
        optimizer = replace(
            state.optimizer,
            **{
                f.name: vectors.take_members(value, keep)
                for f in fields(state.optimizer)
                if isinstance(value := getattr(state.optimizer, f.name), np.ndarray)
                and value.shape == (n_params,)
            },
        )
        self.network = network.subset(keep)
        self.active = self.active[keep]
        state.params = self.network.unpack(params)
        state.stats = self.network.unpack_stats(stats)
        state.optimizer = optimizer
        self._build()

    def snapshot(self):
        """Every member's best epoch so far, in the whole pack: (params, stats)."""
        full = self.full
        params = full.unpack(self.best.reshape(-1).copy())
        return params, full.unpack_stats(self.best_stats.reshape(-1).copy())

    def finish(self, progress) -> None:
        """Every member back to its best epoch, in the whole pack."""
        state, full = self.state, self.full
        state.params = full.unpack(self.best.reshape(-1))
        state.stats = full.unpack_stats(self.best_stats.reshape(-1))
        state.optimizer = None  # the update rule's state is of the last pack


def _report(epoch, run, progress) -> None:
    losses = progress.validation_curve[-1]
    mean = np.nanmean(losses) if np.isfinite(losses).any() else math.nan
    print(
        f"Epoch {epoch}: {run.active.size} of {run.k} members training, "
        f"training loss {progress.loss_curve[-1]:.6f}, held-out loss "
        f"{mean:.6f} (best {np.min(progress.best_loss):.6f}), "
        f"{sum(progress.epoch_seconds):.1f} s",
        flush=True,
    )
    run.reported = time.perf_counter()


def _summary(run, progress, seconds) -> None:
    names, counts = np.unique(progress.stopped.astype(str), return_counts=True)
    reasons = dict(zip(names, counts, strict=True))
    print(
        f"Trained {run.k} members in {len(progress.loss_curve)} epochs, "
        f"{seconds:.1f} s; best held-out loss {np.min(progress.best_loss):.6f}; "
        "stopped: " + ", ".join(f"{n} by {why}" for why, n in sorted(reasons.items())),
        flush=True,
    )
