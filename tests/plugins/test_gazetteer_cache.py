"""The gazetteer's derived index kept in the cache folder: a later process reads the copy
and gets the same gazetteer; a damaged copy, or one of another data file, is derived
again, never an error."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from plugins.analyzers import gazetteer as gz

TEXT = ("Le conseil communal de Liège a voté la coopération avec Lubumbashi. De gemeenteraad "
        "van Gent keurde de stedenband met Mopti goed; de Gentse schepen en Boom waren erbij.")


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(gz, "cache_path", lambda name: tmp_path / name)
    gz.gazetteer.cache_clear()
    yield tmp_path
    gz.gazetteer.cache_clear()


def fresh() -> gz.Gazetteer:
    gz.gazetteer.cache_clear()
    return gz.gazetteer()


@pytest.fixture(scope="module")
def derived_copy(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, bytes]:
    """The copy ``gazetteer()`` writes for the bundled data (file name, bytes), derived
    once for the tests that only need a copy to be there before they start."""
    folder = tmp_path_factory.mktemp("gazetteer-copy")
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(gz, "cache_path", lambda name: folder / name)
        fresh()
        gz.gazetteer.cache_clear()
    (copy,) = folder.glob("gazetteer-*.json")
    return copy.name, copy.read_bytes()


def seed(cache: Path, derived_copy: tuple[str, bytes]) -> None:
    """Put the derived copy in ``cache``, as a first ``fresh()`` there would."""
    name, data = derived_copy
    assert gz.gazetteer_cache_path() == cache / name
    (cache / name).write_bytes(data)


def test_the_cached_copy_gives_the_derived_gazetteer(cache: Path) -> None:
    derived = fresh()
    (copy,) = cache.glob("gazetteer-*.json")
    cached = fresh()
    assert cached is not derived
    assert cached.places == derived.places
    assert cached.index == derived.index and cached.adjectives == derived.adjectives
    assert cached.ambiguous_in == derived.ambiguous_in and cached.ambiguous == derived.ambiguous
    assert cached.first_tokens == derived.first_tokens and cached.lower_first == derived.lower_first
    assert cached.find(TEXT) == derived.find(TEXT) and len(cached.find(TEXT)) >= 4
    # one place under each of its names is one object, as when derived
    liege = cached.lookup("Liège")[0]
    assert any(p is liege for p in cached.lookup(liege.names[-1]))
    assert copy.stat().st_size > 1_000_000


@pytest.mark.parametrize("damage", [b"", b"{not json", b"[]", json.dumps({"places": [["x"]]}).encode()])
def test_a_damaged_copy_is_derived_again(cache: Path, damage: bytes) -> None:
    copy = gz.gazetteer_cache_path()
    copy.write_bytes(damage)
    assert fresh().lookup("Gent")
    assert list(cache.glob("gazetteer-*.json")) == [copy]  # the copy gazetteer() reads ...
    assert copy.stat().st_size > 1_000_000  # ... written again


def test_another_data_file_is_not_read_from_the_copy_of_the_first(cache: Path, tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch,
                                                                    derived_copy: tuple[str, bytes]) -> None:
    seed(cache, derived_copy)
    data = tmp_path / "gazetteer.tsv"
    data.write_text(gz.DATA.read_text(encoding="utf-8") + "XX\ttown\tZzyzxville\t0\t\n", encoding="utf-8")
    monkeypatch.setattr(gz, "DATA", data)
    assert [p.country for p in fresh().lookup("Zzyzxville")] == ["XX"]
    assert len(list(cache.glob("gazetteer-*.json"))) == 2
    assert [p.country for p in fresh().lookup("Zzyzxville")] == ["XX"]  # from its own copy


def test_a_read_only_cache_folder_still_gives_the_gazetteer(tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "a-file").write_text("")
    monkeypatch.setattr(gz, "cache_path", lambda name: tmp_path / "a-file" / name)
    try:
        assert fresh().lookup("Gent")
    finally:
        gz.gazetteer.cache_clear()


def test_a_change_to_the_code_that_derives_it_gets_a_copy_of_its_own(
        cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        derived_copy: tuple[str, bytes]) -> None:
    """Not only the data: a copy derived by older code (a new rule in the constructor)
    is never read by newer code."""
    seed(cache, derived_copy)
    before = gz.gazetteer_cache_path()
    newer = tmp_path / "gazetteer.py"
    newer.write_text(Path(gz.__file__).read_text(encoding="utf-8") + "# a new rule\n", encoding="utf-8")
    monkeypatch.setattr(gz, "__file__", str(newer))
    assert gz.gazetteer_cache_path() != before
    fresh()
    assert len(list(cache.glob("gazetteer-*.json"))) == 2
