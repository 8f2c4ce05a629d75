"""The estimator kinds a run can use, and how one ``size`` number maps to each one's parameters.

The runner sweeps one integer per model family (hidden units for an ANN, excitatory neurons for
the spiking network). This registry records which constructor parameter that integer sets and
where the estimator lives; estimators are imported lazily so that loading a configuration does
not pay for Brian2 unless a spiking model is used.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

__all__ = ["ModelKind", "MODEL_KINDS", "default_params", "make_estimator", "estimator_factory",
           "load_model"]


@dataclass(frozen=True)
class ModelKind:
    """How to build one kind of estimator.

    Attributes
    ----------
    kind : str
        Registry name used in configs (``kind = "mlp"``).
    family : str
        ``"ann"`` (backprop), ``"snn"`` (spiking) or ``"clustering"`` (k-means). Reports
        group and colour by it; the runner never branches on it.
    target : str
        ``"module:attribute"`` of the estimator class or factory function.
    size_param : str
        Constructor parameter the swept ``size`` sets.
    size_as_tuple : bool
        Pass ``(size,)`` instead of ``size`` (one hidden layer of ``size`` units).
    size_meaning : str
        What ``size`` counts, for reports.
    size_example : str
        An example ``sizes`` list for error messages.
    loader : str
        ``"module:function"`` that reads a model written by its ``save`` (``""``: none).
    min_size : int
        Smallest valid ``size`` (0 for an MLP: no hidden layer, i.e. logistic regression).
    size_layers : int
        With ``size_as_tuple``: how many layers of ``size`` units (``(size,) * size_layers``).
    """

    kind: str
    family: str
    target: str
    size_param: str
    size_as_tuple: bool
    size_meaning: str
    size_example: str
    loader: str = ""
    min_size: int = 1
    size_layers: int = 1

    def size_value(self, size: int) -> Any:
        if self.size_as_tuple:
            return (int(size),) * self.size_layers if size > 0 else ()
        return int(size)


MODEL_KINDS: dict[str, ModelKind] = {
    mk.kind: mk
    for mk in [
        ModelKind("mlp", "ann", "ann:MLPClassifier", "hidden_layer_sizes", True,
                  "hidden units (one hidden layer; 0 = none: logistic regression)",
                  "[16, 64, 256]", "ann:load", min_size=0),
        ModelKind("essay_mlp", "ann", "ann.presets:essay_mlp", "hidden_layer_sizes", True,
                  "hidden units of the essay's sigmoid + MSE MLP", "[16, 64]", "ann:load"),
        ModelKind("mlp2", "ann", "ann:MLPClassifier", "hidden_layer_sizes", True,
                  "hidden units of each of two hidden layers", "[100]", "ann:load",
                  size_layers=2),
        ModelKind("cnn", "ann", "ann:CNNClassifier", "channels", True,
                  "convolution channels (one conv block)", "[4, 8, 16]", "ann:load"),
        ModelKind("cnn3", "ann", "ann:CNNClassifier", "channels", True,
                  "convolution channels of each of three conv blocks", "[25]", "ann:load",
                  size_layers=3),
        ModelKind("rnn", "ann", "ann:RNNClassifier", "n_hidden", False,
                  "recurrent hidden units (image read row by row)", "[16, 64]", "ann:load"),
        ModelKind("surrogate_snn", "snn", "ann:SpikingMLPClassifier", "hidden_layer_sizes",
                  True, "LIF neurons of the hidden layer, trained by surrogate gradients (BPTT)",
                  "[64, 256]", "ann:load"),
        ModelKind("stdp", "snn", "neurosim.classifier:STDPClassifier", "n_excitatory", False,
                  "excitatory neurons (as many inhibitory)", "[25, 100]", "neurosim:load"),
        ModelKind("rstdp", "snn", "neurosim.rstdp:RSTDPClassifier", "n_excitatory", False,
                  "excitatory neurons, each with a fixed class (as many inhibitory)", "[100]",
                  "neurosim:load"),
        ModelKind("ann2snn", "snn", "experiments.models.converted:ConvertedMLPClassifier",
                  "hidden_layer_sizes", True,
                  "hidden units of the backprop MLP run as integrate-and-fire neurons",
                  "[128]"),
        ModelKind("kmeans", "clustering", "experiments.models.baselines:KMeansVoteClassifier",
                  "n_clusters", False, "k-means prototypes (read out like neurons)",
                  "[25, 100]"),
    ]
}


def _check_kind(kind: str) -> ModelKind:
    if not isinstance(kind, str) or kind not in MODEL_KINDS:
        raise ValueError(f"unknown model kind {kind!r}; choose one of: {', '.join(MODEL_KINDS)}")
    return MODEL_KINDS[kind]


def estimator_factory(kind: str) -> Callable[..., Any]:
    """Import and return the class or factory for ``kind``.

    Raises
    ------
    ValueError
        Unknown kind, or its package does not provide it (the message says which).
    """
    mk = _check_kind(kind)
    module_name, attr = mk.target.split(":")
    try:
        module = importlib.import_module(module_name)
        return getattr(module, attr)
    except (ImportError, AttributeError) as err:
        raise ValueError(
            f"model kind {kind!r} needs {mk.target.replace(':', '.')}, which is not available "
            f"({err}); install the full package or choose another kind"
        ) from None


@cache
def _defaults(kind: str) -> tuple[tuple[str, Any], ...]:
    est = estimator_factory(kind)()
    return tuple(est.get_params(deep=False).items())


def default_params(kind: str) -> dict[str, Any]:
    """The estimator's constructor parameters with their default values."""
    _check_kind(kind)
    return dict(_defaults(kind))


def make_estimator(kind: str, size: int, params: dict[str, Any], seed: int) -> Any:
    """Build an unfitted estimator of ``kind`` with ``size`` units, ``params`` and ``seed``.

    Parameters
    ----------
    kind : str
        A key of :data:`MODEL_KINDS`.
    size : int
        The swept size (>= 1), mapped onto the kind's ``size_param``.
    params : dict
        Other constructor parameters (lists become tuples).
    seed : int
        ``random_state`` of the estimator.
    """
    mk = _check_kind(kind)
    if isinstance(size, bool) or not isinstance(size, int) or size < mk.min_size:
        raise ValueError(f"size must be an integer >= {mk.min_size} for kind {kind!r}, got "
                         f"{size!r}")
    if not isinstance(params, dict):
        raise TypeError(f"params must be a dict, got {type(params).__name__}")
    kwargs = {k: tuple(v) if isinstance(v, list) else v for k, v in params.items()}
    kwargs[mk.size_param] = mk.size_value(size)
    kwargs["random_state"] = int(seed)
    return estimator_factory(kind)(**kwargs)


def load_model(kind: str, path: str) -> Any:
    """Read a model of ``kind`` written by its ``save`` (for the timing phase)."""
    mk = _check_kind(kind)
    if not mk.loader:
        raise ValueError(f"model kind {kind!r} cannot be saved and loaded; time another kind")
    module_name, attr = mk.loader.split(":")
    return getattr(importlib.import_module(module_name), attr)(path)
