"""Labelled reports the learned classifier is trained on (one JSON object per line).

``labelled`` and ``heldout`` were written with the rules; ``training`` by other hands from the
category table alone, in the voices real offices produce (informal, paraphrased, formal,
voice notes, monitoring notes). The set that measures the classifier is kept apart, in the
tests, and never trained on.
"""
