"""Speaker embeddings without torch: Resemblyzer 0.1.4's voice encoder (a 40-channel
mel spectrogram -> 3-layer LSTM 256 -> linear 256 + ReLU -> L2 norm) run in numpy.

The weights are `pretrained.pt` inside the resemblyzer wheel (installed with
--no-deps: importing resemblyzer imports torch, so it is only found, never imported).
The file is torch's legacy serialization: pickles, then each tensor storage's raw
bytes. A restricted unpickler reads it (nothing but tensors and an OrderedDict may be
built), after its sha256 is checked against the pin.
"""

from __future__ import annotations

import collections
import pickle
from functools import cache
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np

from ..errors import PublisherError
from ..fsutil import package_file
from .models import _check, _missing
from .pcm import RATE

PACKAGE = "resemblyzer"
WEIGHTS = "pretrained.pt"
SHA256 = "39373b86598fa3da9fcddee6142382efe09777e8d37dc9c0561f41f0070f134e"
N_FFT = RATE * 25 // 1000  # 25 ms window
HOP = RATE * 10 // 1000  # 10 ms hop
MELS = 40
FRAMES = 160  # mel frames in a partial utterance (1.6 s)
PARTIAL = FRAMES * HOP  # its samples
LAYERS = 3
BATCH = 128  # partials run through the LSTM at once (memory: BATCH x FRAMES x 1024 floats)


def weights_path() -> Path:
    path = package_file(PACKAGE, WEIGHTS)  # found, not imported (that imports torch)
    if path is None:
        raise _missing("the speaker encoder (resemblyzer)")
    _check(path, SHA256)
    return path


# --- reading torch's legacy checkpoint ---------------------------------------

_DTYPES = {"FloatStorage": np.float32, "DoubleStorage": np.float64, "LongStorage": np.int64}


class _Storage:
    def __init__(self, dtype: type, size: int) -> None:
        self.dtype, self.size = dtype, size
        self.data: np.ndarray | None = None


class _Tensor:
    def __init__(self, storage: _Storage, offset: int, size: tuple, stride: tuple) -> None:
        self.storage, self.offset, self.shape, self.stride = storage, offset, size, stride

    def array(self) -> np.ndarray:
        data = self.storage.data
        assert data is not None
        item = data.itemsize
        return np.lib.stride_tricks.as_strided(
            data[self.offset :], self.shape, tuple(s * item for s in self.stride)
        ).copy()


def _rebuild(storage: _Storage, offset: int, size: tuple, stride: tuple, *_: Any) -> _Tensor:
    return _Tensor(storage, offset, tuple(size), tuple(stride))


class _Unpickler(pickle.Unpickler):
    """Builds only what a state dict holds; any other global is refused."""

    def __init__(self, f: BinaryIO, storages: dict[str, _Storage]) -> None:
        super().__init__(f)
        self.storages = storages

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) == ("torch._utils", "_rebuild_tensor_v2"):
            return _rebuild
        if (module, name) == ("collections", "OrderedDict"):
            return collections.OrderedDict
        if module == "torch" and name in _DTYPES:
            return name
        raise pickle.UnpicklingError(f"{module}.{name} is not allowed in a speaker model")

    def persistent_load(self, pid: Any) -> _Storage:
        kind, dtype_name, key, _location, size, *_ = pid
        if kind != "storage" or dtype_name not in _DTYPES:
            raise pickle.UnpicklingError(f"unexpected storage {kind} {dtype_name}")
        if key not in self.storages:
            self.storages[key] = _Storage(_DTYPES[dtype_name], size)
        return self.storages[key]


def read_state(path: Path) -> dict[str, np.ndarray]:
    """The model_state tensors of a legacy torch checkpoint, as numpy arrays."""
    storages: dict[str, _Storage] = {}
    with path.open("rb") as f:
        for _ in range(3):  # magic number, protocol version, system info
            pickle.load(f)
        checkpoint = _Unpickler(f, storages).load()
        for key in pickle.load(f):
            st = storages[key]
            count = int(np.frombuffer(f.read(8), "<i8")[0])
            if count != st.size:
                raise PublisherError("speaker model storage has the wrong size", path)
            st.data = np.frombuffer(f.read(count * np.dtype(st.dtype).itemsize), st.dtype)
    return {k: t.array() for k, t in checkpoint["model_state"].items()}


# --- the model ----------------------------------------------------------------


def _mel_filters() -> np.ndarray:
    """librosa.filters.mel(sr=16000, n_fft=400, n_mels=40): Slaney scale and norm."""

    def to_mel(f: np.ndarray) -> np.ndarray:
        return np.where(
            f < 1000, f * 3 / 200, 15 + np.log(np.maximum(f, 1e-9) / 1000) * 27 / np.log(6.4)
        )

    def to_hz(m: np.ndarray) -> np.ndarray:
        return np.where(m < 15, m * 200 / 3, 1000 * np.exp((m - 15) * np.log(6.4) / 27))

    freqs = np.linspace(0, RATE / 2, N_FFT // 2 + 1)
    edges = to_hz(np.linspace(to_mel(np.array(0.0)), to_mel(np.array(RATE / 2.0)), MELS + 2))
    ramps = edges[:, None] - freqs[None, :]
    widths = np.diff(edges)
    lower = -ramps[:-2] / widths[:-1, None]
    upper = ramps[2:] / widths[1:, None]
    weights = np.maximum(0, np.minimum(lower, upper))
    return weights * (2.0 / (edges[2:] - edges[:-2]))[:, None]


@cache
def _constants() -> tuple[np.ndarray, np.ndarray]:
    window = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(N_FFT) / N_FFT)  # periodic Hann
    return window, _mel_filters().T.astype(np.float64)


def mel_frames(samples: np.ndarray) -> np.ndarray:
    """The power mel spectrogram (frames x 40, float32), as librosa's melspectrogram
    with center=True and reflect padding: frame i is centred on sample i * HOP."""
    window, filters = _constants()
    x = np.pad(np.asarray(samples, np.float64), N_FFT // 2, mode="reflect")
    n = 1 + (len(x) - N_FFT) // HOP
    frames = np.lib.stride_tricks.as_strided(x, (n, N_FFT), (x.itemsize * HOP, x.itemsize))
    power = np.abs(np.fft.rfft(frames * window, axis=1)) ** 2
    return (power @ filters).astype(np.float32)


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 0.5 * (np.tanh(0.5 * x) + 1.0)  # no overflow warnings


class Encoder:
    """The voice encoder's weights, as numpy arrays (float32)."""

    def __init__(self, state: dict[str, np.ndarray]) -> None:
        self.lstm = [
            (
                state[f"lstm.weight_ih_l{k}"].T.copy(),
                state[f"lstm.weight_hh_l{k}"].T.copy(),
                state[f"lstm.bias_ih_l{k}"] + state[f"lstm.bias_hh_l{k}"],
            )
            for k in range(LAYERS)
        ]
        self.linear_w = state["linear.weight"].T.copy()
        self.linear_b = state["linear.bias"]

    def embed_mels(self, mels: np.ndarray) -> np.ndarray:
        """Embeddings (n x 256, unit length) of n partials (n x frames x 40). BLAS runs
        on one thread: its small per-step products on two threads slow tenfold when
        another process shares the cores (as in a build)."""
        from threadpoolctl import threadpool_limits

        with threadpool_limits(1, user_api="blas"):
            out = [self._batch(mels[i : i + BATCH]) for i in range(0, len(mels), BATCH)]
        return np.concatenate(out) if out else np.zeros((0, 256), np.float32)

    def _batch(self, x: np.ndarray) -> np.ndarray:
        seq = np.asarray(x, np.float32)
        n, steps, _ = seq.shape
        for k, (w_ih, w_hh, bias) in enumerate(self.lstm):
            hidden = w_hh.shape[0]
            gates_in = (seq.reshape(n * steps, -1) @ w_ih + bias).reshape(n, steps, 4 * hidden)
            h = np.zeros((n, hidden), np.float32)
            c = np.zeros((n, hidden), np.float32)
            last = k == LAYERS - 1
            outs = None if last else np.empty((n, steps, hidden), np.float32)
            for t in range(steps):
                g = gates_in[:, t] + h @ w_hh
                i, f = _sigmoid(g[:, :hidden]), _sigmoid(g[:, hidden : 2 * hidden])
                cell, o = np.tanh(g[:, 2 * hidden : 3 * hidden]), _sigmoid(g[:, 3 * hidden :])
                c = f * c + i * cell
                h = o * np.tanh(c)
                if outs is not None:
                    outs[:, t] = h
            seq = outs if outs is not None else seq
        raw = np.maximum(h @ self.linear_w + self.linear_b, 0.0)
        return raw / np.maximum(np.linalg.norm(raw, axis=1, keepdims=True), 1e-12)


@cache
def encoder() -> Encoder:
    """The voice encoder, loaded once per process (its sha256 checked first)."""
    return Encoder(read_state(weights_path()))
