"""A learned opinion on a report's category: a linear model over character and word n-grams.

The keyword rules read the lexicon's words; reports written by other people describe the same
acts in other words, in officialese, in regional speech or in monitoring notes. Character
n-grams (2-5, within words) carry paraphrases, misspellings and affixes ("dibagikan",
"ngeshare", "share"); word n-grams carry short phrases and give the explanation its words.
A linear SVM was chosen over logistic regression and over the rules with a larger lexicon by
the figures in docs/benchmarks.md (accuracy on the fresh held-out set, lowest recall, time
per case). It trains in under a second from the shipped examples, so no fitted model is
stored and the model is always the one its examples describe.

Pure computation: the examples come in as values (``services/triage/rules_files.py`` reads
them) and nothing here touches a file, a socket or a clock.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.svm import LinearSVC

# A margin over the runner-up of this much (in decision-function units) reads as about
# 73 % confident; scaled so that confidence tracks accuracy in cross-validation on the
# training examples (docs/benchmarks.md).
_CONFIDENCE_SCALE: Final = 4.0
_SIMILAR: Final = 3
_WORDS: Final = 4
# Softer than the default (1.0): the examples are few for the number of features.
_REGULARISATION: Final = 0.5


@dataclass(frozen=True)
class Example:
    """One labelled report, as triage sees it."""

    id: str
    title: str
    text: str  # title and description, as read by :func:`text_of`
    category: str


@dataclass(frozen=True)
class Neighbour:
    """A confirmed example close to the report, shown to officers beside the proposal."""

    example_id: str
    title: str
    category: str
    similarity: float  # cosine, 0..1


@dataclass(frozen=True)
class Opinion:
    category: str
    confidence: float  # 0..1: how clearly the category stands out from the runner-up
    ranked: tuple[str, ...]  # every category, most likely first
    # The model's decision value for each category of ``ranked``, in the same order: how far
    # behind the first a runner-up is says whether the model saw that act too.
    scores: tuple[float, ...]
    words: tuple[tuple[str, float], ...]  # words of the report that weighed most for it
    neighbours: tuple[Neighbour, ...]


def text_of(title: str, description: str) -> str:
    """The text the model reads: title, then description, lower-cased."""
    return f"{title}\n{description}".lower()


class LearnedModel:
    """A fitted model; build it with :func:`train`."""

    def __init__(
        self,
        version: str,
        examples: Sequence[Example],
        words: TfidfVectorizer,
        chars: TfidfVectorizer,
        svm: LinearSVC,
        matrix: Any,  # the examples' vectors, rows l2-normalised per vectoriser
    ) -> None:
        self.version = version
        self._examples = tuple(examples)
        self._words = words
        self._chars = chars
        self._svm = svm
        # The examples' vectors as columns: a report's vector times this is its similarity to
        # each example in one sparse product (a twentieth of the time of the other way).
        self._by_feature = matrix.T.tocsr()
        self._classes: tuple[str, ...] = tuple(str(c) for c in svm.classes_)
        self._vocabulary: tuple[str, ...] = tuple(str(w) for w in words.get_feature_names_out())
        self._word_count = len(self._vocabulary)

    @property
    def size(self) -> int:
        """How many examples it was trained on."""
        return len(self._examples)

    def opinion(self, text: str) -> Opinion:
        """The model's category for ``text`` (from :func:`text_of`), with what weighed most."""
        word_vector = self._words.transform([text])
        vector = sparse.hstack([word_vector, self._chars.transform([text])]).tocsr()
        scores = np.asarray(self._svm.decision_function(vector)).ravel()
        if len(scores) == 1:  # two categories: one score, for the second of them
            scores = np.array([-scores[0], scores[0]])
        order = np.argsort(-scores, kind="stable")
        ranked = tuple(self._classes[int(i)] for i in order)
        margin = float(scores[order[0]] - scores[order[1]])
        confidence = 1.0 - math.exp(-_CONFIDENCE_SCALE * margin) if margin > 0 else 0.0
        top = int(order[0])
        return Opinion(
            category=ranked[0],
            confidence=round(confidence, 3),
            ranked=ranked,
            scores=tuple(round(float(scores[int(i)]), 4) for i in order),
            words=self._weighing_words(word_vector, top),
            neighbours=self._neighbours(vector),
        )

    def _weighing_words(self, word_vector: Any, top: int) -> tuple[tuple[str, float], ...]:
        row = word_vector.tocoo()
        weights = self._svm.coef_
        # With two categories the one row of weights speaks for the second.
        coefficients = weights[top] if len(weights) > 1 else weights[0] * (1 if top else -1)
        weighed = [
            (self._vocabulary[int(j)], float(value * coefficients[int(j)]))
            for j, value in zip(row.col, row.data, strict=True)
        ]
        weighed = [item for item in weighed if item[1] > 0]
        weighed.sort(key=lambda item: -item[1])
        return tuple((word, round(weight, 3)) for word, weight in weighed[:_WORDS])

    def _neighbours(self, vector: Any) -> tuple[Neighbour, ...]:
        # Both halves are l2-normalised, so the dot product over the two is twice a cosine.
        similarities = (vector @ self._by_feature).toarray().ravel() / 2.0
        best = np.argsort(-similarities, kind="stable")[:_SIMILAR]
        return tuple(
            Neighbour(
                example_id=self._examples[int(i)].id,
                title=self._examples[int(i)].title,
                category=self._examples[int(i)].category,
                similarity=round(float(similarities[int(i)]), 3),
            )
            for i in best
        )


def _version(examples: Sequence[Example]) -> str:
    digest = hashlib.sha256()
    for example in examples:
        digest.update(f"{example.id}\x1f{example.category}\x1f{example.text}\x1e".encode())
    return digest.hexdigest()[:12]


def train(examples: Sequence[Example]) -> LearnedModel:
    """Fit the model on ``examples`` (at least two categories); deterministic."""
    if len({e.category for e in examples}) < 2:
        raise ValueError("the learned model needs examples of at least two categories")
    texts = [e.text for e in examples]
    words = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)
    chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=2)
    matrix = sparse.hstack([words.fit_transform(texts), chars.fit_transform(texts)]).tocsr()
    svm = LinearSVC(C=_REGULARISATION, random_state=0)
    svm.fit(matrix, [e.category for e in examples])
    return LearnedModel(_version(examples), examples, words, chars, svm, matrix)
