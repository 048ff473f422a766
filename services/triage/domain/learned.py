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
from collections import Counter
from collections.abc import Callable, Sequence
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
_WORD_CACHE_LIMIT: Final = 50_000


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


class _FittedHalf:
    """One fitted vectoriser, applied to a single text without scikit-learn's batch path.

    ``TfidfVectorizer.transform`` is built for many texts: on one report it spends most of
    its time checking and converting arrays (about 1.4 ms of the model's 4 ms a case,
    measured in docs/benchmarks.md). This applies the same fitted analyser, vocabulary and
    idf weights (sublinear tf, l2 norm) directly; the unit tests hold its vectors equal to
    ``transform``'s.
    """

    def __init__(self, fitted: TfidfVectorizer, offset: int) -> None:
        if not (fitted.sublinear_tf and fitted.use_idf and fitted.norm == "l2"):
            raise ValueError("the model's vectorisers use sublinear tf, idf and the l2 norm")
        if fitted.binary:
            raise ValueError("binary counts are not supported")
        self._analyse: Callable[[str], list[str]] = fitted.build_analyzer()
        self._vocabulary: dict[str, int] = fitted.vocabulary_
        self._idf: Any = fitted.idf_
        self._offset = offset
        # Character n-grams within words depend on the word alone, so a text's counts are
        # the sum of its words' counts; each word's are worked out once and kept (reports
        # repeat their words, and a province's reports share most of them). The analyser
        # in Python was the largest part of the model's time a case.
        self._by_word = fitted.analyzer == "char_wb"
        self._preprocess: Callable[[str], str] = fitted.build_preprocessor()
        # A word's columns and counts (two arrays), for the words seen lately.
        self._word_terms: dict[str, tuple[Any, Any]] = {}

    def columns(self, text: str) -> tuple[Any, Any]:
        """The text's non-zero columns (sorted, shifted by the half's offset) and values."""
        if self._by_word:
            columns, counts = self._counts_by_word(text)
        else:
            found = self._counts(text)
            columns = np.fromiter(found.keys(), dtype=np.int64, count=len(found))
            counts = np.fromiter(found.values(), dtype=np.float64, count=len(found))
            order = np.argsort(columns)
            columns, counts = columns[order], counts[order]
        values = (np.log(counts) + 1.0) * self._idf[columns]
        norm = math.sqrt(float(values @ values))
        if norm > 0:
            values /= norm
        return columns + self._offset, values

    def _counts(self, text: str) -> dict[int, int]:
        found: dict[int, int] = {}
        for term, count in Counter(self._analyse(text)).items():
            column = self._vocabulary.get(term)
            if column is not None:
                found[column] = count
        return found

    def _counts_by_word(self, text: str) -> tuple[Any, Any]:
        """The text's columns (sorted, distinct) and counts, summed from its words' own.

        Each word's terms are kept as arrays and summed by numpy: adding them up term by
        term in Python cost about as much as the rest of the model's opinion.
        """
        columns: list[Any] = []
        counts: list[Any] = []
        for word, times in Counter(self._preprocess(text).split()).items():
            terms = self._word_terms.get(word)
            if terms is None:
                terms = self._terms_of_word(word)
            columns.append(terms[0])
            counts.append(terms[1] * times if times > 1 else terms[1])
        if not columns:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64)
        distinct, where = np.unique(np.concatenate(columns), return_inverse=True)
        return distinct, np.bincount(where, weights=np.concatenate(counts))

    def _terms_of_word(self, word: str) -> tuple[Any, Any]:
        found: dict[int, int] = {}
        for term, count in Counter(self._analyse(word)).items():
            if (column := self._vocabulary.get(term)) is not None:
                found[column] = count
        terms = (
            np.fromiter(found.keys(), dtype=np.int64, count=len(found)),
            np.fromiter(found.values(), dtype=np.float64, count=len(found)),
        )
        if len(self._word_terms) >= _WORD_CACHE_LIMIT:
            self._word_terms.clear()  # a flood of made-up words cannot grow it without end
        self._word_terms[word] = terms
        return terms


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
        self._svm = svm
        # The examples' vectors as columns: a report's vector times this is its similarity to
        # each example in one sparse product (a twentieth of the time of the other way).
        self._by_feature = matrix.T.tocsr()
        self._classes: tuple[str, ...] = tuple(str(c) for c in svm.classes_)
        self._vocabulary: tuple[str, ...] = tuple(str(w) for w in words.get_feature_names_out())
        self._word_count = len(self._vocabulary)
        self._width = matrix.shape[1]
        self._halves = (_FittedHalf(words, 0), _FittedHalf(chars, self._word_count))

    @property
    def size(self) -> int:
        """How many examples it was trained on."""
        return len(self._examples)

    def opinion(self, text: str) -> Opinion:
        """The model's category for ``text`` (from :func:`text_of`), with what weighed most."""
        vector = self.vector(text)
        # The SVM's decision function, without its per-call input checks.
        coefficients = self._svm.coef_
        scores = coefficients[:, vector.indices] @ vector.data + self._svm.intercept_
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
            words=self._weighing_words(vector, top),
            neighbours=self._neighbours(vector),
        )

    def vector(self, text: str) -> Any:
        """The text's features as one sparse row: word n-grams, then character n-grams, each
        half l2-normalised, as the examples' rows were built in :func:`train`."""
        (word_columns, word_values), (char_columns, char_values) = (
            half.columns(text) for half in self._halves
        )
        columns = np.concatenate([word_columns, char_columns])
        values = np.concatenate([word_values, char_values])
        return sparse.csr_matrix(
            (values, columns, np.array([0, len(columns)])), shape=(1, self._width)
        )

    def _weighing_words(self, vector: Any, top: int) -> tuple[tuple[str, float], ...]:
        rows = self._svm.coef_
        # With two categories the one row of weights speaks for the second.
        coefficients = rows[top] if len(rows) > 1 else rows[0] * (1 if top else -1)
        # Of the report's word columns (the first half), those that speak for the category.
        words = vector.indices < self._word_count
        columns = vector.indices[words]
        weights = vector.data[words] * coefficients[columns]
        positive = weights > 0
        columns, weights = columns[positive], weights[positive]
        heaviest = np.argsort(-weights, kind="stable")[:_WORDS]
        return tuple(
            (self._vocabulary[int(columns[i])], round(float(weights[i]), 3)) for i in heaviest
        )

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


def vectorisers() -> tuple[TfidfVectorizer, TfidfVectorizer]:
    """The model's two unfitted vectorisers: word 1-2-grams and character 2-5-grams."""
    words = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)
    chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=2)
    return words, chars


def train(examples: Sequence[Example]) -> LearnedModel:
    """Fit the model on ``examples`` (at least two categories); deterministic."""
    if len({e.category for e in examples}) < 2:
        raise ValueError("the learned model needs examples of at least two categories")
    texts = [e.text for e in examples]
    words, chars = vectorisers()
    matrix = sparse.hstack([words.fit_transform(texts), chars.fit_transform(texts)]).tocsr()
    svm = LinearSVC(C=_REGULARISATION, random_state=0)
    svm.fit(matrix, [e.category for e in examples])
    return LearnedModel(_version(examples), examples, words, chars, svm, matrix)
