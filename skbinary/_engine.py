"""Training loop: one compiled TensorFlow call per epoch, reused across fits.

Keras' ``model.fit`` costs about 25 ms of set-up per epoch and traces a new
graph for every new model (about 0.5 s, and memory that is never given back).
A grid search fits dozens of identical architectures, so this module keeps a
small pool of *trainers*: a built Keras model, its optimizer and a
``tf.function`` that runs a whole epoch (shuffled minibatches, forward pass,
binary cross-entropy, gradient step) and then predicts the validation rows,
all in a single call. A fit borrows the
trainer for its architecture, re-initialises weights and optimizer state from
its seed, trains, and hands it back. Same-shaped fits never retrace, and the
pool's size bounds memory.

Nothing here knows scikit-learn, metrics or printing: the caller passes
validated float32 arrays, weights, a seed, validation metrics by name, and
Keras callbacks that the loop notifies after each epoch (early stopping and
progress are such callbacks, in :mod:`skbinary._hooks`).
"""

import collections
import os
import threading
import warnings

import numpy as np

# Most trainers (architectures) kept alive between fits.
POOL_SIZE = 8

# From this many held-out rows on, cross-fitted members score each row by its
# own member's slice of every layer (a quarter of the products, a fifth of an
# epoch on large data); below it, by all members at once, whose graph traces
# in about 0.1 s less (a new architecture's first fit on small data).
SLICED_MIN_ROWS = 4096

_pool = collections.OrderedDict()
_pool_lock = threading.Lock()


_threads_configured = False


def configure_threads():
    """Size TensorFlow's thread pools like numpy's, once, before TF starts.

    joblib's process workers (``GridSearchCV(n_jobs=k)``) set
    ``OMP_NUM_THREADS`` to ``cores // k`` so that workers do not fight over
    cores; TensorFlow ignores it and starts one thread per core in every
    worker. When the variable is set, TensorFlow gets the same budget. It can
    only be set before TensorFlow runs its first operation; later it is left
    as it is.
    """
    global _threads_configured
    if _threads_configured:
        return
    _threads_configured = True
    value = os.environ.get("OMP_NUM_THREADS", "")
    if not value.isdigit() or int(value) < 1:
        return
    import tensorflow as tf

    try:
        tf.config.threading.set_intra_op_parallelism_threads(int(value))
        tf.config.threading.set_inter_op_parallelism_threads(int(value))
    except RuntimeError:  # TensorFlow already started in this process
        pass


class Trainer:
    """A Keras model with its optimizer and compiled epoch function.

    Parameters
    ----------
    model : keras.Model
        Model with one sigmoid output of shape ``(None, 1)``.
    optimizer : keras.optimizers.Optimizer
        Optimizer; built here on the model's trainable variables.
    loss : keras.losses.Loss or None, default=None
        Per-sample training loss (built with ``reduction=None``); None is
        binary cross-entropy. It is part of the compiled epoch.
    members : bool, default=False
        The model is an ensemble: its last layer (frozen) averages the
        members' logits that the layers before it give. Each member is then
        trained on its own loss (the loss is their mean), not the average,
        with weights of its own: :func:`train` takes one weight column a
        member (a 1-D weight weighs every member alike), so that each member
        can leave out rows of its own (cross-fitted members).
    grad_masks : list of ndarray or None, default=None
        Multipliers of the gradients, aligned with the trainable variables
        (None where there is none), e.g. to keep ensemble members apart.
    member_logit : callable or None, default=None
        ``member_logit(model, X, j) -> logits (n,)``: member ``j`` alone on
        the rows ``X`` (TensorFlow), used to score each held-out row by the
        member that left it out. None computes every member on every row
        and keeps the one asked for.
    autograph : bool, default=True
        Whether TensorFlow's AutoGraph converts the Python code the compiled
        epoch calls (a user's layers may branch on tensors). The built-in
        network has no such code: without it, tracing takes about a third
        less time.
    """

    def __init__(self, model, optimizer, loss=None, members=False, grad_masks=None,
                 member_logit=None, autograph=True):
        import tensorflow as tf

        self.model = model
        self.optimizer = optimizer
        self.loss = loss
        self._members = members
        # members: the frozen mean's inputs
        self.n_members = int(model.layers[-1].kernel.shape[0]) if members else 1
        self._masks = None if grad_masks is None else [
            None if m is None else tf.constant(m) for m in grad_masks]
        # Keras callbacks (ReduceLROnPlateau, LearningRateScheduler) reach the
        # optimizer through the model, as after ``model.compile``.
        model.optimizer = optimizer
        if not optimizer.built:
            optimizer.build(model.trainable_variables)
        # Plain Adam (the default) takes a lean update of the same arithmetic.
        self._adam = _plain_adam(optimizer, model.trainable_variables)
        # Optimizer state right after build, restored before each fit.
        self._optimizer_init = [v.numpy() for v in optimizer.variables]
        self._member_logit = member_logit
        self._autograph = autograph
        self._n_features = model.input_shape[-1]
        # The compiled epochs, traced on first use, one a way of scoring the
        # validation rows: by the model, or each by one member ("gather":
        # all members computed, "sliced": that member's part only).
        self._compiled_epochs = {}
        self._no_rows = None  # the empty tensors of a predict-only call
        self._copy = None  # the compiled copy of every weight (read_weights)

    def _compiled(self, mode):
        """The concrete function of :meth:`_run_epoch` for ``mode`` ("model",
        "gather" or "sliced"); calling it skips tf.function's per-call
        signature lookup. Traced once a mode."""
        import tensorflow as tf

        fn = self._compiled_epochs.get(mode)
        if fn is None:
            rows = tf.TensorSpec([None, self._n_features], tf.float32)
            signature = [rows, tf.TensorSpec([None], tf.float32),
                         tf.TensorSpec([None, None] if self._members else [None], tf.float32),
                         tf.TensorSpec([None], tf.int32), tf.TensorSpec([], tf.int32), rows]
            if mode != "model":
                signature.append(tf.TensorSpec([None], tf.int32))

            # Exactly the arguments a call passes: a concrete function binds
            # them without defaults, and a failed binding (a parameter with a
            # default left out) costs a text of every argument's values before
            # TensorFlow falls back to the flat signature, each epoch.
            if mode == "model":
                def run_epoch(X, y, w, order, batch_size, X_val):
                    return self._run_epoch(X, y, w, order, batch_size, X_val)
            else:
                def run_epoch(X, y, w, order, batch_size, X_val, member):
                    return self._run_epoch(X, y, w, order, batch_size, X_val, member,
                                           sliced=mode == "sliced")

            fn = tf.function(run_epoch, input_signature=signature,
                             autograph=self._autograph).get_concrete_function()
            self._compiled_epochs[mode] = fn
        return fn

    def read_weights(self):
        """Every weight of the model (``model.weights``' order), copied in one call.

        The same values as ``model.get_weights()``, as tensors, which
        ``model.set_weights`` takes back; one compiled call instead of a read
        a variable (early stopping copies the weights at each best epoch).
        """
        import tensorflow as tf

        if self._copy is None:
            weights = self.model.weights
            self._copy = tf.function(lambda: [tf.identity(w.value) for w in weights],
                                     autograph=False).get_concrete_function()
        return self._copy()

    def _member_logits(self, X, training):
        """The members' logits, one column a member (the layers before their mean)."""
        logits = X
        for layer in self.model.layers[:-1]:
            logits = layer(logits, training=training)
        return logits

    def reset_optimizer(self, learning_rate):
        """Restore the optimizer's freshly built state and set its learning rate.

        The rate is a variable the compiled epoch reads, so callbacks may
        change it between epochs. ``None`` leaves it (an optimizer built with
        a ``LearningRateSchedule`` restarts the schedule: its step count is
        part of the state restored).
        """
        for var, value in zip(self.optimizer.variables, self._optimizer_init):
            var.assign(value)
        if learning_rate is not None:
            self.optimizer.learning_rate = learning_rate

    def _batch_loss(self, xb, yb, wb, size):
        """The weighted training loss of one minibatch (before regularisation)."""
        import keras
        import tensorflow as tf

        if not self._members:
            proba = self.model(xb, training=True)
            # Keras finds the logit behind the sigmoid: numerically stable.
            losses = (keras.losses.binary_crossentropy(yb, proba) if self.loss is None
                      else self.loss(yb, proba))
            return tf.reduce_sum(wb * losses) / size
        logits = self._member_logits(xb, training=True)
        proba = keras.activations.sigmoid(logits)  # one column a member
        yb = tf.broadcast_to(yb, tf.shape(proba))
        # one loss a row and member, each member weighted on its own
        if self.loss is None:
            losses = tf.nn.sigmoid_cross_entropy_with_logits(yb, logits)
        else:
            losses = self.loss(yb[..., None], proba[..., None])
        k = tf.cast(tf.shape(logits)[1], tf.float32)
        return tf.reduce_sum(wb * losses) / (size * k)

    def _run_epoch(self, X, y, w, order, batch_size, X_val, member=None, sliced=False):
        """Train one epoch over ``order``; return its mean loss and ``X_val``'s probabilities.

        The probabilities, one a row, are taken after the epoch's last step:
        the model's, or with ``member`` (an ensemble's cross-fitted members)
        row ``i``'s by member ``member[i]`` alone (``sliced``: computing that
        member's part of each layer only).
        """
        import keras
        import tensorflow as tf

        n = tf.shape(order)[0]
        n_batches = (n + batch_size - 1) // batch_size
        variables = self.model.trainable_variables

        def step(i, total):
            idx = order[i * batch_size : tf.minimum((i + 1) * batch_size, n)]
            xb = tf.gather(X, idx)
            yb = tf.gather(y, idx)[:, None]
            wb = tf.gather(w, idx)
            size = tf.cast(tf.shape(idx)[0], tf.float32)
            with tf.GradientTape() as tape:
                loss = self._batch_loss(xb, yb, wb, size)
                if self.model.losses:
                    loss = loss + tf.add_n(self.model.losses)
            grads = tape.gradient(loss, variables)
            if self._masks is not None:
                grads = [g if m is None else g * m for g, m in zip(grads, self._masks)]
            if self._adam:
                _adam_step(self.optimizer, grads, variables)
            else:
                self.optimizer.apply(grads, variables)
            return i + 1, total + loss * size

        _, total = tf.while_loop(lambda i, total: i < n_batches, step,
                                 (tf.constant(0), tf.constant(0.0, tf.float32)))
        if member is None:
            proba = tf.reshape(self.model(X_val, training=False), [-1])
        else:
            proba = keras.activations.sigmoid(self._held_out_logits(X_val, member, sliced))
        return total / tf.cast(tf.maximum(n, 1), tf.float32), proba

    def _held_out_logits(self, X, member, sliced):
        """Row ``i``'s logit by member ``member[i]`` (in the compiled graph)."""
        import tensorflow as tf

        if not sliced:
            return tf.gather(self._member_logits(X, training=False), member, batch_dims=1)
        k = self.n_members
        rows = tf.dynamic_partition(tf.range(tf.shape(X)[0]), member, k)
        parts = tf.dynamic_partition(X, member, k)
        return tf.dynamic_stitch(
            rows, [self._member_logit(self.model, parts[j], j) for j in range(k)])

    def epoch(self, X, y, w, order, batch_size, X_val, member=None, n_held_out=0):
        """One compiled epoch (tensors in); ``(loss, validation probabilities)``.

        See :meth:`_run_epoch`; ``member`` (int32 tensor) scores each
        validation row by one ensemble member, by its slice of the layers
        when there are at least :data:`SLICED_MIN_ROWS` such rows in all
        (``n_held_out``).
        """
        if member is None:
            return self._compiled("model")(X, y, w, order, batch_size, X_val)
        mode = ("sliced" if self._member_logit is not None and n_held_out >= SLICED_MIN_ROWS
                else "gather")
        return self._compiled(mode)(X, y, w, order, batch_size, X_val, member)

    def validation_proba(self, X, member=None, batch_size=65536):
        """``X``'s probabilities as :meth:`epoch` gives them, without training (float32)."""
        import tensorflow as tf

        if self._no_rows is None:
            w_shape = (0, self.n_members) if self._members else (0,)
            self._no_rows = (tf.zeros((0, X.shape[1]), tf.float32), tf.zeros((0,), tf.float32),
                             tf.zeros(w_shape, tf.float32), tf.zeros((0,), tf.int32),
                             tf.constant(1, tf.int32))
        out = [np.asarray(self.epoch(
                   *self._no_rows, tf.constant(X[i : i + batch_size]),
                   None if member is None else tf.constant(member[i : i + batch_size], tf.int32),
                   n_held_out=X.shape[0])[1])
               for i in range(0, X.shape[0], batch_size)]
        return np.concatenate(out) if out else np.empty(0, np.float32)

    def held_out_proba(self, X, member, batch_size=65536):
        """Each row's probability by the member that left it out (float32).

        ``member[i]`` is the ensemble member that did not train on row ``i``.
        """
        return self.validation_proba(X, np.asarray(member), batch_size)


# Keras' own (unexported) Adam state that _adam_step updates; if a Keras
# release renames any of it, training falls back to ``optimizer.apply``.
_ADAM_STATE = ("_momentums", "_velocities", "_get_variable_index", "_learning_rate")


def _plain_adam(optimizer, variables):
    """Whether ``optimizer`` is Keras' Adam with nothing :func:`_adam_step` leaves out."""
    import keras

    return (type(optimizer) is keras.optimizers.Adam
            and all(hasattr(optimizer, name) for name in _ADAM_STATE)
            and not optimizer.amsgrad
            and not optimizer.weight_decay and optimizer.clipnorm is None
            and optimizer.clipvalue is None and optimizer.global_clipnorm is None
            and not optimizer.use_ema and not optimizer.gradient_accumulation_steps
            and optimizer.loss_scale_factor is None
            and not isinstance(optimizer._learning_rate,
                               keras.optimizers.schedules.LearningRateSchedule)
            and all(v.constraint is None for v in variables))


def _adam_step(optimizer, grads, variables):
    """One step of Keras' Adam (``Adam.update_step``'s arithmetic, in its order).

    Keras' ``apply`` recomputes the bias correction for every variable and
    goes through its distribution and accumulation machinery; on a small
    network, a step's time is mostly such per-op overhead. The same
    operations on the optimizer's own moments and step count, once: the
    state (and so a pickled optimizer, or ``partial_fit``'s) is Keras'.
    """
    import tensorflow as tf

    lr = tf.cast(optimizer.learning_rate, tf.float32)
    local_step = tf.cast(optimizer.iterations + 1, tf.float32)
    beta_1_power = tf.pow(tf.cast(optimizer.beta_1, tf.float32), local_step)
    beta_2_power = tf.pow(tf.cast(optimizer.beta_2, tf.float32), local_step)
    alpha = lr * tf.sqrt(1 - beta_2_power) / (1 - beta_1_power)
    for gradient, variable in zip(grads, variables):
        index = optimizer._get_variable_index(variable)
        m, v = optimizer._momentums[index], optimizer._velocities[index]
        m.assign_add((gradient - m) * (1 - optimizer.beta_1))
        v.assign_add((tf.square(gradient) - v) * (1 - optimizer.beta_2))
        variable.assign_sub((m * alpha) / (tf.sqrt(v) + optimizer.epsilon))
    optimizer.iterations.assign_add(1)


def acquire(key, factory):
    """Take the pooled trainer for ``key``, or build one with ``factory()``."""
    configure_threads()
    with _pool_lock:
        free = _pool.get(key)
        if free:
            _pool.move_to_end(key)
            return free.pop()
    return factory()


def release(key, trainer):
    """Give a trainer back to the pool, evicting the least recently used."""
    with _pool_lock:
        _pool.setdefault(key, []).append(trainer)
        _pool.move_to_end(key)
        while sum(len(v) for v in _pool.values()) > POOL_SIZE:
            oldest = next(iter(_pool))
            _pool[oldest].pop(0)
            if not _pool[oldest]:
                del _pool[oldest]


def weighted_log_loss(y, proba, w):
    """Weighted mean binary cross-entropy, as the training loss is reduced."""
    p = np.clip(proba.astype(np.float64), 1e-7, 1 - 1e-7)
    return float(np.sum(w * -(y * np.log(p) + (1 - y) * np.log1p(-p))) / len(y))


class CallbackError(RuntimeError):
    """A training callback raised; the message names it and the hook."""


def notify(callbacks, hook, *args):
    """Call ``hook`` on every callback, in order, naming any that raises.

    Parameters
    ----------
    callbacks : list of keras.callbacks.Callback
    hook : str
        A Keras callback method, e.g. ``"on_epoch_end"``.
    *args
        Its arguments.
    """
    for cb in callbacks:
        try:
            getattr(cb, hook)(*args)
        except Exception as exc:
            raise CallbackError(
                f"The callback {type(cb).__name__} raised {type(exc).__name__} in "
                f"{hook}: {exc}"
            ) from exc


def current_learning_rate(optimizer):
    """The learning rate the next step uses (a schedule evaluated now)."""
    return float(np.asarray(optimizer.learning_rate))


def train(
    trainer,
    X,
    y,
    w,
    *,
    epochs,
    batch_size,
    seed,
    validation=None,
    metrics=None,
    callbacks=(),
    epoch_data=None,
):
    """Train ``trainer.model`` in place, notifying ``callbacks``; return its history.

    The loop has no metric of its own and prints nothing: after each epoch it
    builds a ``logs`` dict (``loss``, ``val_<name>`` for each of ``metrics`` on the
    validation data, ``learning_rate``) and hands it to the callbacks' Keras
    hooks ``on_train_begin``, ``on_epoch_begin``, ``on_epoch_end`` and
    ``on_train_end``. A callback stops training by setting
    ``model.stop_training = True``; early stopping, progress printing and the
    user's own Keras callbacks are all such callbacks. Batch-level hooks are
    not called: an epoch is one compiled TensorFlow call.

    Parameters
    ----------
    trainer : Trainer
        Trainer whose weights and optimizer are already initialised.
    X : ndarray of shape (n_samples, n_features), float32
    y : ndarray of shape (n_samples,), float32 in {0, 1}
    w : ndarray of shape (n_samples,) or (n_samples, n_members), float32
        Per-sample weights (sample_weight times class weight); for an
        ensemble's trainer, optionally one column a member.
    epochs : int
        Most passes over the data.
    batch_size : int
        Minibatch size.
    seed : int
        Seed of the per-epoch shuffles.
    validation : tuple (X_val, y_val, w_val[, member]) or None
        Held-out data scored after each epoch by ``metrics``. With ``member``
        (cross-fitted members), row ``i`` is scored by ``member[i]`` alone, the
        member that left it out.
    metrics : dict of str to callable(y, proba, w) -> float, default=None
        Validation metrics, logged as ``val_<name>``.
    callbacks : sequence of keras.callbacks.Callback
        Hooks, called in order; their ``model`` is ``trainer.model``.
    epoch_data : callable or None, default=None
        ``epoch_data(epoch) -> (X, y, w)``: the float32 training arrays of each
        epoch (for example resampled afresh), used instead of ``X, y, w``,
        which then only size the callbacks' ``steps``. None trains on
        ``X, y, w`` every epoch.

    Returns
    -------
    history : dict of list of float
        Every logged value, one per epoch run.
    interrupted : bool
        True when training was stopped by KeyboardInterrupt.

    Raises
    ------
    ValueError
        When the training loss stops being finite, unless a
        ``keras.callbacks.TerminateOnNaN`` (without ``raise_error``) asks to
        stop instead after the first epoch: then the weights of the last
        finite epoch are kept, with a warning.
    CallbackError
        When a callback raises.
    """
    import keras

    model = trainer.model
    rng = np.random.RandomState(seed)
    data, n = _as_tensors(X, y, w, batch_size, trainer.n_members)
    X_val = _validation_rows(validation, X, data[0])
    member = _validation_members(validation)
    history = collections.defaultdict(list)
    nan_guards = [cb for cb in callbacks if isinstance(cb, keras.callbacks.TerminateOnNaN)]
    last_finite = None
    model.stop_training = False
    for cb in callbacks:
        cb.set_model(model)
        cb.set_params({"epochs": epochs, "steps": -(-n // int(data[3])), "verbose": 0})
    interrupted = False
    notify(callbacks, "on_train_begin", {})
    try:
        for epoch in range(epochs):
            notify(callbacks, "on_epoch_begin", epoch, {})
            if nan_guards:
                last_finite = model.get_weights()
            if epoch_data is not None:
                data, n = _as_tensors(*epoch_data(epoch), batch_size, trainer.n_members)
            loss, proba = trainer.epoch(*data[:3], _order(rng, n), data[3], X_val, member,
                                        n_held_out=X_val.shape[0])
            loss = float(loss)
            if _stop_on_non_finite(loss, epoch, nan_guards, model, last_finite):
                break
            logs = {"loss": loss, **_validation_logs(proba, validation, metrics)}
            logs["learning_rate"] = current_learning_rate(trainer.optimizer)
            notify(callbacks, "on_epoch_end", epoch, logs)
            for key, value in logs.items():
                history[key].append(float(value))
            if model.stop_training:
                break
    except KeyboardInterrupt:
        interrupted = True
        # Keep whole epochs only: every list the same length.
        done = min(len(v) for v in history.values()) if history else 0
        for values in history.values():
            del values[done:]
    # Also after Ctrl-C: early stopping restores its best weights, loggers close.
    notify(callbacks, "on_train_end", {})
    if interrupted:
        warnings.warn(
            f"Training interrupted after {len(history['loss'])} epoch(s); the "
            "estimator keeps the weights reached so far (the best on validation "
            "with early stopping).",
            UserWarning,
            stacklevel=3,
        )
    return dict(history), interrupted


def _as_tensors(X, y, w, batch_size, n_members=1):
    """``((X, y, w, batch size) as tensors, n_rows)`` of one epoch's data.

    For an ensemble (``n_members > 1``) a 1-D ``w`` weighs every member alike.
    """
    import tensorflow as tf

    n = X.shape[0]
    if n_members > 1 and w.ndim == 1:
        w = np.repeat(w[:, None], n_members, axis=1)
    return (tf.constant(X), tf.constant(y), tf.constant(w),
            tf.constant(min(batch_size, n), tf.int32)), n


def _order(rng, n):
    """This epoch's shuffle of ``n`` rows, as the compiled epoch takes it."""
    import tensorflow as tf

    return tf.constant(rng.permutation(n).astype(np.int32))


def _stop_on_non_finite(loss, epoch, nan_guards, model, last_finite):
    """False for a finite ``loss``; else raise, or (TerminateOnNaN) roll back and stop."""
    if np.isfinite(loss):
        return False
    if not nan_guards or epoch == 0 or nan_guards[0].raise_error:
        raise ValueError(
            f"Training diverged at epoch {epoch + 1} (loss={loss}). "
            "Lower `learning_rate`, make sure `l2` and `weight_decay` are not "
            "huge, or scale the features (StandardScaler)."
        )
    model.set_weights(last_finite)
    warnings.warn(
        f"The training loss became {loss} at epoch {epoch + 1}: "
        f"TerminateOnNaN stopped training with the weights of epoch {epoch}.",
        UserWarning, stacklevel=4,
    )
    return True


def _validation_rows(validation, X, X_tensor):
    """The validation rows as the compiled epoch takes them (none: zero rows)."""
    import tensorflow as tf

    if validation is None:
        return tf.zeros((0, X.shape[1]), tf.float32)
    if validation[0] is X:  # cross-fitted members validate on the training rows
        return X_tensor
    return tf.constant(validation[0])


def _validation_members(validation):
    """With cross-fitted members, each validation row's member (an int32 tensor); else None."""
    import tensorflow as tf

    if validation is None or len(validation) < 4:
        return None
    return tf.constant(np.asarray(validation[3], np.int32))


def _validation_logs(proba, validation, metrics):
    """``{"val_<name>": value}`` of ``metrics`` on the validation data (if any).

    ``proba`` is what the epoch predicted for the validation rows (with
    cross-fitted members, row ``i`` by the member that left it out).
    """
    if validation is None:
        return {}
    yv, wv = validation[1], validation[2]
    pv = np.asarray(proba)
    return {f"val_{name}": float(fn(yv, pv, wv)) for name, fn in (metrics or {}).items()}
