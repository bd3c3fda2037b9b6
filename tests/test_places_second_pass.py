"""Issue 15: regions, coordinate notations, airfields, ports, scripts and renamings, traps,
per-row hints, ``near`` labels, and a data-only index cache."""

from __future__ import annotations

import io
import os
import pickle
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pytest
from _tiny_geonames import ALPHAVILLE, count_index_builds, use_tiny_geonames

import geoflows as gf
from geoflows.errors import AmbiguousPlace, CacheWarning, FlowValidationError, PlaceNotFound
from geoflows.places import (
    CoordinateError,
    Gazetteer,
    GazetteerFileError,
    _index,
    geocode,
    geocode_all,
    parse_coordinates,
)

NAMES = Path(__file__).parent / "data" / "places_names.csv"
sys.path.insert(0, str(Path(__file__).parents[1] / "benchmarks"))


@pytest.fixture(scope="module")
def gaz() -> Gazetteer:
    return Gazetteer.default()


# ---------------------------------------------------------------- the labelled name set
@pytest.mark.slow
def test_labelled_name_set_all_right_and_no_confident_wrong_answer(gaz):
    from bench_places import score_names

    scored = score_names(str(NAMES))
    assert len(scored) >= 100
    assert {s["class"] for s in scored} >= {"region", "coords", "airfield", "port", "script"}
    wrong = [(s["name"], s["got"]) for s in scored if s["wrong"]]
    missed = [(s["name"], s["status"]) for s in scored if not s["right"]]
    assert wrong == []
    assert missed == []


# ---------------------------------------------------------------- 1. regions
@pytest.mark.parametrize(
    "name,code",
    [
        ("Ryanggang Province", "KP-10"),
        ("자강도", "KP-04"),
        ("Kaliningrad Oblast", "RU-KGD"),
        ("Kaliningrad region", "RU-KGD"),
        ("Khabarovsk Krai", "RU-KHA"),
        ("Zabaykalsky Krai", "RU-ZAB"),
        ("KP-09", "KP-09"),
        ("RU-KDA", "RU-KDA"),
        ("ru-kda", "RU-KDA"),
        ("Автономная Республика Крым", "UA-43"),
        ("Донецька область", None),
        ("Приморский край", None),  # the curated site row wins; still a region
        ("Хабаровский край", "RU-KHA"),
        ("Забайкальский край", "RU-ZAB"),
        ("Якутия", "RU-SA"),
    ],
)
def test_regions_resolve(gaz, name, code):
    p = gaz.geocode(name)
    assert p.kind == "region"
    if code is not None:
        assert p.id == f"region:{code}"
        assert p.source == f"regions.csv:{code}"


def test_city_wins_over_its_region_for_a_bare_name(gaz):
    assert gaz.geocode("Donetsk").kind == "city"
    assert gaz.geocode("Donetsk region").kind == "region"
    assert gaz.geocode("Kaliningrad").kind == "city"
    assert gaz.geocode("Kaliningrad Oblast").kind == "region"
    assert gaz.geocode("Khabarovsk").kind == "city"


# ---------------------------------------------------------------- 2. coordinates
@pytest.mark.parametrize(
    "text,lat,lon",
    [
        ("47°05′N 37°33′E", 47.083333, 37.55),
        ("47°05'N 37°33'E", 47.083333, 37.55),
        ("47°05'30\"N 37°33'10\"E", 47.091667, 37.552778),
        ("47 05 30 N 37 33 10 E", 47.091667, 37.552778),
        ("N47°05′ E37°33′", 47.083333, 37.55),
        ("47.1N 37.55E", 47.1, 37.55),
        ("E37.55 N47.1", 47.1, 37.55),
        ("47.0951° N, 37.5413° E", 47.0951, 37.5413),
        ("33°55'S 18°25'W", -33.916667, -18.416667),
        ("42.25 130.28", 42.25, 130.28),
        ("42.25, 130.28", 42.25, 130.28),
        ("(42.25; 130.28)", 42.25, 130.28),
        ("47°05′ 37°33′", 47.083333, 37.55),
    ],
)
def test_coordinate_notations(text, lat, lon):
    p = parse_coordinates(text)
    assert p.kind == "coordinates"
    assert p.latlon == (lat, lon)


def test_mgrs_round_trips():
    import mgrs

    ref = mgrs.MGRS().toMGRS(47.1, 37.55, MGRSPrecision=5)
    for text in (ref, f"{ref[:3]} {ref[3:5]} {ref[5:10]} {ref[10:]}", ref.lower()):
        lat, lon = parse_coordinates(text).latlon
        assert abs(lat - 47.1) < 1e-4 and abs(lon - 37.55) < 1e-4


@pytest.mark.parametrize(
    "text,match",
    [
        ("130.28, 42.25", r"Latitude 130.28 is out of range.*only makes sense swapped \(42.25, "),
        ("91N 37E", "Latitude 91 is out of range.*hemisphere letters"),
        ("47N 37N", "two latitudes"),
        ("47°75′N 37°33′E", "minutes 75 must be below 60"),
        ("47.5°30′N 37°E", "carry decimals and minutes too"),
        ("1 2 3", "cannot tell latitude from longitude"),
        ("10, 200", "Longitude 200 is out of range"),
        ("37U CQ 123 4567", "MGRS.*same number of digits"),
        ("47,1 37,5", "decimal comma"),
    ],
)
def test_malformed_coordinates_say_notation_and_problem(text, match):
    with pytest.raises(CoordinateError, match=match) as err:
        parse_coordinates(text)
    assert isinstance(err.value, ValueError) and isinstance(err.value, gf.GeocodeError)
    assert err.value.notation


def test_swapped_pair_is_never_swapped_silently(gaz):
    with pytest.raises(CoordinateError, match="never swaps silently"):
        gaz.geocode("130.28, 42.25")
    row = gaz.geocode_all(["130.28, 42.25"]).iloc[0]
    assert row.status == "not_found" and "swapped (42.25, 130.28)" in row.message


@pytest.mark.parametrize("name", ["N1", "E40", "Route 66", "Rajin", "M4"])
def test_names_with_one_number_are_names_not_coordinates(name):
    assert parse_coordinates(name) is None


# ---------------------------------------------------------------- 3./4. airfields and ports
@pytest.mark.parametrize(
    "name,ident",
    [
        ("UHHH", "airport:UHHH"),
        ("KHV", "airport:UHHH"),
        ("Vnukovo airport", "airport:UUWW"),
        ("VKO", "airport:UUWW"),
        ("Vnukovo International Airport", "airport:UUWW"),
        ("Shaykovka air base", "site:shaykovka_airbase"),
        ("Shaykovka airbase", "site:shaykovka_airbase"),
        ("Engels airbase", "airport:XWSG"),
        ("Engels air base", "airport:XWSG"),
    ],
)
def test_airfields(gaz, name, ident):
    p = gaz.geocode(name)
    assert p.kind == "airfield" and p.id == ident


def test_bare_name_is_the_city_not_the_airfield(gaz):
    assert gaz.geocode("Vnukovo").kind == "city"
    assert gaz.geocode("Engels").kind == "city"


@pytest.mark.parametrize(
    "name,ident",
    [
        ("RUVVO", "port:RUVVO"),
        ("RUNVS", "port:RUNVS"),
        ("Port Olya", "site:olya_port"),
        ("Olya port", "site:olya_port"),
        ("Port of Tartus", "site:tartus_port"),
        ("Port of Shanghai", "port:CNSHA"),
        ("Port of Vladivostok", "site:vladivostok_port"),
        ("Port Kavkaz", "site:port_kavkaz"),
    ],
)
def test_ports(gaz, name, ident):
    p = gaz.geocode(name)
    assert p.kind == "port" and p.id == ident


# ---------------------------------------------------------------- 5. scripts and renamings
def test_simplified_and_traditional_chinese_match(gaz):
    a, b = gaz.geocode("广州"), gaz.geocode("廣州")
    assert a.id == b.id and a.name == "Guangzhou"
    assert gaz.geocode("瀋陽").id == gaz.geocode("沈阳").id


@pytest.mark.parametrize(
    "old,new",
    [
        ("Dzerzhynsk", "Toretsk"),
        ("Kirovohrad", "Kropyvnytskyi"),
        ("Artemivsk", "Bakhmut"),
        ("Leningrad", "Saint Petersburg"),
        ("Krasnoarmiisk", "Pokrovsk"),
    ],
)
def test_renamed_places_record_the_old_name(gaz, old, new):
    p = gaz.geocode(old)
    assert p.name == new and p.former_name == old
    assert gaz.geocode(new).former_name is None
    assert p == gaz.geocode(new)  # the same place: former_name is not compared


def test_romanisations_without_apostrophes_or_breves(gaz):
    for a, b in [("Ch'ŏngjin", "Chongjin"), ("Namp'o", "Nampo"), ("Hamhŭng", "Hamhung")]:
        assert gaz.geocode(a).id == gaz.geocode(b).id


# ---------------------------------------------------------------- 6. no silent guesses
@pytest.mark.parametrize(
    "name", ["Ab", "XQZ", "zzzz", "Qwrtx", "Blorptown", "Xyzzy", "Asdfgh", "Rajinx", "Qqq"]
)
def test_traps_are_refused(gaz, name):
    with pytest.raises((PlaceNotFound, AmbiguousPlace), match=rf"^No place (named|has) '{name}'"):
        gaz.geocode(name)


def test_accent_twins(gaz):
    we = gaz.geocode("Wé")
    assert we.country == "NC"  # the town in New Caledonia, not Huế
    assert gaz.geocode("Hue").country == "VN"


def test_short_name_found_only_as_an_alternate_is_a_miss_naming_it(gaz):
    with pytest.raises(PlaceNotFound, match="not resolved through alternate names") as err:
        gaz.geocode("Ab")
    assert "Ibb" in err.value.suggestions


def test_codes_resolve_exactly(gaz):
    assert gaz.geocode("UKR").kind == "country"
    assert gaz.geocode("DPRK").country == "KP"
    assert gaz.geocode("UHHH").kind == "airfield"


# ---------------------------------------------------------------- 7. hints, progress, csv
def test_flow_country_columns_narrow_each_row():
    rows = [
        {"origin": "Moscow", "destination": "Rajin", "origin_country": "US"},
        {"origin": "Donetsk", "destination": "Moscow", "origin_country": "RU"},
        {"origin": "Donetsk", "destination": "Moscow", "origin_country": ""},
    ]
    gdf = gf.read_flows(rows).to_geodataframe()
    assert gdf.origin_country.tolist() == ["US", "RU", "UA"]


def test_ambiguity_advice_once_per_name():
    rows = [{"origin": "Springfield", "destination": "Rajin"}] * 3
    with pytest.raises(FlowValidationError) as err:
        gf.read_flows(rows)
    text = str(err.value)
    assert text.count("origin_country or destination_country column") == 1
    assert "record 2: field 'origin' value 'Springfield': same as record 1" in text


def test_gazetteer_csv_row_with_extra_fields_names_the_line(tmp_path):
    f = tmp_path / "mine.csv"
    f.write_text("name,lat,lon\nDepot 7,47.1,37.5\nDepot, 8,47.2,37.6\n", encoding="utf-8")
    with pytest.raises(GazetteerFileError, match=r"mine.csv:3: 4 fields but the header has 3"):
        Gazetteer.from_csv(f)


def test_gazetteer_csv_field_over_the_csv_limit(tmp_path):
    f = tmp_path / "big.csv"
    f.write_text('name,lat,lon\nA,1,2\n"' + "x" * 200_000 + '",1,2\n', encoding="utf-8")
    with pytest.raises(GazetteerFileError, match=r"big.csv:3: cannot be read as CSV.*field"):
        Gazetteer.from_csv(f)


def test_gazetteer_csv_must_be_a_small_regular_file(tmp_path):
    with pytest.raises(GazetteerFileError, match="is a directory; a gazetteer must be a regular"):
        Gazetteer.from_csv(tmp_path)
    f = tmp_path / "g.csv"
    f.write_text("name,lat,lon\nDepot 7,47.1,37.5\n", encoding="utf-8")
    with pytest.raises(GazetteerFileError, match=r"is more than the 10 bytes geoflows reads"):
        Gazetteer.from_csv(f, max_bytes=10)
    assert Gazetteer.from_csv(f, max_bytes=None).geocode("Depot 7").lat == 47.1
    with pytest.raises(GazetteerFileError, match="no such file; check the path"):
        Gazetteer.from_csv(tmp_path / "missing.csv")


def test_gazetteer_csv_country_column_narrows_lookup(tmp_path):
    f = tmp_path / "g.csv"
    f.write_text(
        "name,lat,lon,country\nDepot 7,47.1,37.5,UA\nDepot 7,43.1,131.9,RU\n", encoding="utf-8"
    )
    g = Gazetteer.from_csv(f)
    with pytest.raises(AmbiguousPlace, match=r"Depot 7 \(UA, custom\); Depot 7 \(RU, custom\)"):
        g.geocode("Depot 7")
    assert g.geocode("Depot 7", country="RU").lat == 43.1
    assert g.geocode_all(["Depot 7", "Depot 7"], country=["UA", "RU"]).lat.tolist() == [
        47.1,
        43.1,
    ]


# ---------------------------------------------------------------- 8. near labels
def test_coordinates_get_a_near_label(gaz):
    p = gaz.geocode("42.24, 130.30")
    assert p.near == "Rajin (KP), 1 km"
    assert p.name == "42.24, 130.3"  # never presented as the place's own name
    df = gaz.geocode_all(["42.24, 130.30", "Rajin", "47°05′N 37°33′E"])
    assert df.place[0].near == "Rajin (KP), 1 km"
    assert df.place[1].near is None
    assert df.place[2].near.startswith("Mariupol (UA), ")


# ---------------------------------------------------------------- 9. the cache
@pytest.fixture
def tiny(tmp_path, monkeypatch):
    use_tiny_geonames(tmp_path, monkeypatch, [ALPHAVILLE], "Alphaville")
    return tmp_path


class _Planted:
    """Unpickling this creates a file: proof that a loader ran code."""

    def __init__(self, marker: str):
        self.marker = marker

    def __reduce__(self):
        return (Path.touch, (Path(self.marker),))


def test_cache_is_npz_of_plain_arrays_with_a_content_hash(tiny):
    assert Gazetteer().geocode("Alfavil").name == "Alphaville"
    path = _index.cache_path()
    assert path.suffix == ".npz"
    with np.load(path, allow_pickle=False) as npz:
        assert all(npz[k].dtype != object for k in npz.files)
        flat = {k: npz[k] for k in npz.files}
    assert flat["digest"].tobytes().decode() == _index.content_hash(flat)
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temp files left


def test_planted_pickle_in_the_cache_never_runs(tiny):
    marker = tiny / "pwned"
    path = _index.cache_path()
    path.parent.mkdir(parents=True)
    # an .npz holding a pickled object array, and an old-style .pkl index beside it
    np.savez(path, evil=np.array([_Planted(str(marker))], dtype=object))
    (path.parent / "places-index-0000.pkl").write_bytes(pickle.dumps(_Planted(str(marker))))
    with pytest.warns(CacheWarning, match="failed its check"):
        assert Gazetteer().geocode("Alphaville").country == "KP"
    assert not marker.exists()
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # the .pkl is removed


@pytest.mark.slow
def test_tampered_cache_fails_its_hash_and_is_rebuilt(tiny, monkeypatch):
    Gazetteer().geocode("Alphaville")
    path = _index.cache_path()
    with np.load(path, allow_pickle=False) as npz:
        flat = {k: npz[k].copy() for k in npz.files}
    flat["lat"][0] = -45.0  # move a place, keep the old digest
    with open(path, "wb") as f:
        np.savez(f, **flat)
    builds = count_index_builds(monkeypatch)
    with pytest.warns(CacheWarning, match="content hash mismatch"):
        assert Gazetteer().geocode("Alphaville").lat == 10.0
    assert builds == [1]
    with warnings.catch_warnings():
        warnings.simplefilter("error", CacheWarning)
        assert Gazetteer().geocode("Alphaville").lat == 10.0  # rewritten, clean again


def test_first_build_shows_progress_on_a_terminal(tiny, monkeypatch):
    class Tty(io.StringIO):
        def isatty(self):
            return True

    err = Tty()
    monkeypatch.setattr(sys, "stderr", err)
    _index.build_index()
    text = err.getvalue()
    assert "building the place index" in text and "8/8" in text
    assert "reading GeoNames cities500" in text and "airfields (airportsdata)" in text


def test_first_build_is_silent_in_logs(tiny, capsys):
    _index.build_index()
    captured = capsys.readouterr()
    assert captured.err == "" and captured.out == ""


def test_geocode_all_status_for_coordinates_errors(gaz):
    df = geocode_all(["47N 37N", "47.1N 37.55E"])
    assert df.status.tolist() == ["not_found", "ok"]
    assert "two latitudes" in df.message[0]


def test_module_geocode_accepts_new_notations():
    assert geocode("E37.55 N47.1").latlon == (47.1, 37.55)


def test_a_loaded_index_saves_and_loads_again_unchanged(tiny):
    Gazetteer().geocode("Alphaville")
    path = _index.cache_path()
    loaded = _index.read_index(path)
    copy = path.with_name("copy.npz")
    _index.save_index(loaded, copy)
    again = _index.read_index(copy)
    assert _index.Index(again).names.tolist() == _index.Index(loaded).names.tolist()
    with np.load(path, allow_pickle=False) as a, np.load(copy, allow_pickle=False) as b:
        assert a["digest"].tobytes() == b["digest"].tobytes()


@pytest.mark.parametrize(
    "chinese,name",
    [("常熟", "Changshu"), ("胶州", "Jiaozhou"), ("高密", "Gaomi"), ("瓦房店", "Wafangdian")],
)
def test_chinese_characters_reach_places_listed_only_in_pinyin(gaz, chinese, name):
    p = gaz.geocode(chinese)
    assert p.name == name and p.country == "CN"


def test_pinyin_does_not_reach_outside_chinese_speaking_countries(gaz):
    with pytest.raises(PlaceNotFound, match="No place named '某某某'"):
        gaz.geocode("某某某")


def test_flow_country_hint_blank_cells_of_a_dataframe_fall_back():
    import pandas as pd

    df = pd.DataFrame(
        {
            "origin": ["Donetsk", "Donetsk", "Donetsk"],
            "destination": ["Kyiv"] * 3,
            "origin_country": pd.array(["RU", pd.NA, None], dtype="string"),
        }
    )
    gdf = gf.read_flows(df, country="UA").to_geodataframe()
    assert gdf.origin_country.tolist() == ["RU", "UA", "UA"]


def _flip_last_byte_of(path: Path, member: str) -> None:
    """Change the last data byte of one ``.npy`` member in place (same size, new mtime)."""
    import struct
    import zipfile

    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo(f"{member}.npy")
    with open(path, "r+b") as f:
        f.seek(info.header_offset + 26)
        n_name, n_extra = struct.unpack("<HH", f.read(4))
        last = info.header_offset + 30 + n_name + n_extra + info.file_size - 1
        f.seek(last)
        byte = f.read(1)[0]
        f.seek(last)
        f.write(bytes([byte ^ 0xFF]))


def test_the_full_hash_runs_once_per_written_file_and_again_after_a_change(tiny, monkeypatch):
    import os
    import time

    Gazetteer().geocode("Alphaville")
    path = _index.cache_path()
    note = _index.verified_path(path)
    hashes = []
    real = _index.content_hash
    monkeypatch.setattr(_index, "content_hash", lambda flat: hashes.append(1) or real(flat))
    _index.read_index(path)
    assert hashes == [1] and not note.exists()  # just written: too recent to note
    past = time.time_ns() - 60 * 10**9
    os.utime(path, ns=(past, past))
    _index.read_index(path)
    assert hashes == [1, 1] and note.exists()
    size = path.stat().st_size
    assert _index.read_index(path)["format"] == _index.INDEX_FORMAT
    assert hashes == [1, 1]  # the same file, unchanged: no full pass
    _flip_last_byte_of(path, "lat")
    assert path.stat().st_size == size
    with pytest.raises(ValueError, match="content hash mismatch"):
        _index.read_index(path)
    assert hashes == [1, 1, 1]


def test_a_stale_note_is_pruned_with_its_index(tiny):
    Gazetteer().geocode("Alphaville")
    path = _index.cache_path()
    stale = path.with_name("places-index-0000000000000000.npz")
    orphan = _index.verified_path(path.with_name("places-index-1111111111111111.npz"))
    for p in (stale, _index.verified_path(stale), _index.verified_path(path), orphan):
        p.write_bytes(b"x")
    month_ago = time.time() - (_index.STALE_INDEX_DAYS + 1) * 86400
    for p in (stale, _index.verified_path(stale)):  # unused for a month: it goes, note and all
        os.utime(p, (month_ago, month_ago))
    _index._prune_stale(path)
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name, path.name + ".verified"]
