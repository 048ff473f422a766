"""The learned model: deterministic, explained by words of the report and by neighbours."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import sparse

from services.triage.domain.learned import Example, text_of, train, vectorisers
from services.triage.rules_files import shipped_examples

EXAMPLES = [
    Example("m-1", "share poster paslon", text_of("share poster paslon", "di facebook"), "MEDSOS"),
    Example("m-2", "komen di ig timses", text_of("komen di ig timses", "tiap hari"), "MEDSOS"),
    Example("m-3", "status wa video cabup", text_of("status wa video cabup", ""), "MEDSOS"),
    Example("a-1", "pasang baliho", text_of("pasang baliho", "depan rumah"), "ATRIBUT"),
    Example("a-2", "kain rentang calon", text_of("kain rentang calon", "di pagar"), "ATRIBUT"),
    Example("a-3", "stiker di mobil", text_of("stiker di mobil", "pribadi"), "ATRIBUT"),
]


def test_the_category_follows_the_examples_and_the_words_come_from_the_report() -> None:
    model = train(EXAMPLES)
    opinion = model.opinion(text_of("guru share poster paslon", "di facebook pribadinya"))
    assert opinion.category == "MEDSOS"
    assert set(opinion.ranked) == {"MEDSOS", "ATRIBUT"}
    assert opinion.words, "the proposal names the words that weighed for it"
    for word, weight in opinion.words:
        assert word in "guru share poster paslon di facebook pribadinya"
        assert weight > 0


def test_the_closest_examples_are_named_closest_first() -> None:
    opinion = train(EXAMPLES).opinion(text_of("pasang baliho", "depan rumah pak lurah"))
    assert opinion.category == "ATRIBUT"
    assert opinion.neighbours[0].example_id == "a-1"
    similarities = [n.similarity for n in opinion.neighbours]
    assert similarities == sorted(similarities, reverse=True)
    assert 0 < similarities[0] <= 1


def test_the_same_examples_make_the_same_model_and_other_examples_another_version() -> None:
    first, second = train(EXAMPLES), train(list(EXAMPLES))
    text = text_of("stiker paslon", "di kaca mobil")
    assert first.version == second.version
    assert first.opinion(text) == second.opinion(text)
    assert train(EXAMPLES[:-1]).version != first.version


def test_a_text_between_the_categories_gets_a_low_confidence() -> None:
    model = train(EXAMPLES)
    clear = model.opinion(text_of("share poster paslon", "komen di ig timses status wa"))
    between = model.opinion(text_of("share baliho", "stiker poster"))
    assert 0 <= between.confidence < clear.confidence <= 1


def test_one_category_is_not_enough_to_learn_from() -> None:
    with pytest.raises(ValueError, match="two categories"):
        train(EXAMPLES[:3])


# Texts the shipped examples never saw, with repeats, numbers, links and nothing known at all.
ODD_TEXTS = [
    "",
    "zzqx vvkw",
    text_of("Camat ikut  KAMPANYE kampanye kampanye", "di desa 02, lihat https://fb.com/x"),
    text_of("guru honorer bagikan brosur paslon 1", "di grup whatsapp wali murid sd negeri"),
    text_of("ASN ngeshare video", "dukung calon bupati nomor 3!!!"),
    # Every kind of white space, a letter whose lower case is two characters, an emoji.
    text_of("Kepala\tDinas\u00a0ikut\n\nkampanye \u2003 İzmir", "camat  camat\r\ncamat 🙂 ok"),
]


def test_a_text_s_vector_is_the_one_scikit_learn_s_vectorisers_give() -> None:
    examples = shipped_examples()
    model = train(examples)
    words, chars = vectorisers()
    texts = [e.text for e in examples]
    words.fit(texts)
    chars.fit(texts)
    for text in [*texts[::25], *ODD_TEXTS]:
        expected = sparse.hstack([words.transform([text]), chars.transform([text])]).toarray()
        assert np.allclose(model.vector(text).toarray(), expected, rtol=0, atol=1e-12), text
    # A second pass reads the words' n-grams from what the first pass kept: still equal.
    for text in [*texts[::25], *ODD_TEXTS]:
        expected = sparse.hstack([words.transform([text]), chars.transform([text])]).toarray()
        assert np.allclose(model.vector(text).toarray(), expected, rtol=0, atol=1e-12), text


def test_the_neighbours_are_the_examples_of_highest_cosine_worked_out_by_scipy() -> None:
    """The neighbours' similarities are computed from plain arrays: they must be the cosine
    that scikit-learn's vectors give, halved over the two l2-normalised halves, closest first
    (ties in the examples' order), for texts that share features with many examples, few or
    none."""
    examples = shipped_examples()
    model = train(examples)
    words, chars = vectorisers()
    texts = [e.text for e in examples]
    matrix = sparse.hstack([words.fit_transform(texts), chars.fit_transform(texts)]).tocsr()
    for text in [*texts[::40], *ODD_TEXTS]:
        row = sparse.hstack([words.transform([text]), chars.transform([text])]).tocsr()
        cosines = (row @ matrix.T).toarray().ravel() / 2.0
        closest = np.argsort(-cosines, kind="stable")[:3]
        expected = tuple((examples[int(i)].id, round(float(cosines[int(i)]), 3)) for i in closest)
        got = tuple((n.example_id, n.similarity) for n in model.opinion(text).neighbours)
        assert got == expected, text


def test_the_scores_are_the_svm_s_decision_values() -> None:
    model = train(shipped_examples())
    for text in ODD_TEXTS[2:]:
        opinion = model.opinion(text)
        expected = model._svm.decision_function(model.vector(text)).ravel()
        by_category = dict(zip(opinion.ranked, opinion.scores, strict=True))
        classes = [str(c) for c in model._svm.classes_]
        for category, value in zip(classes, expected, strict=True):
            assert by_category[category] == pytest.approx(round(float(value), 4), abs=1e-4)


def test_the_words_are_the_report_s_heaviest_words_for_the_category() -> None:
    """Worked out plainly from the dense vector: of the report's word features, those whose
    value times the category's weight is positive, heaviest first (ties in vocabulary order),
    at most four."""
    model = train(shipped_examples())
    vocabulary = model._vocabulary
    for text in ODD_TEXTS[2:]:
        opinion = model.opinion(text)
        dense = model.vector(text).toarray().ravel()
        row = list(model._svm.classes_).index(opinion.category)
        coefficients = model._svm.coef_[row]
        weighed = [
            (vocabulary[j], float(dense[j] * coefficients[j]))
            for j in range(len(vocabulary))
            if dense[j] and dense[j] * coefficients[j] > 0
        ]
        weighed.sort(key=lambda item: -item[1])
        expected = tuple((word, round(weight, 3)) for word, weight in weighed[:4])
        assert opinion.words == expected, text
        assert opinion.words, text
