"""The language model unpacked once into the cache folder: later processes read the copy,
and a missing or damaged copy is unpacked again, never an error."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from plugins.analyzers import language


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(language, "cache_path", lambda name: tmp_path / name)
    return tmp_path


def test_the_unpacked_copy_gives_the_packaged_model(cache: Path) -> None:
    unpacked = language._model()
    (copy,) = cache.glob("py3langid-*-model.npz")
    cached = language._model()
    for a, b in zip(unpacked, cached, strict=True):
        if isinstance(a, np.ndarray):
            assert a.dtype == b.dtype and np.array_equal(a, b)
        else:
            assert type(a) is type(b) and a == b
    assert copy.stat().st_size > 1_000_000


def test_a_damaged_copy_is_unpacked_again(cache: Path) -> None:
    language._model()
    (copy,) = cache.glob("py3langid-*-model.npz")
    copy.write_bytes(b"not a zip")
    classes = language._model()[2]
    assert "nl" in classes and "fr" in classes
    assert copy.stat().st_size > 1_000_000
