"""Tests of the offline gazetteer (geoflows.places). No network."""

from __future__ import annotations

import os
import warnings

import _tiny_geonames as tiny
import pytest
from pyproj import Geod

from geoflows.errors import AmbiguousPlace, CacheWarning, GeocodeError, PlaceNotFound
from geoflows.places import (
    CoordinateError,
    Gazetteer,
    GazetteerFileError,
    OnlineGeocodeError,
    OnlineGeocoder,
    Place,
    _index,
    geocode,
    geocode_all,
    normalize_name,
    parse_coordinates,
)

GEOD = Geod(ellps="WGS84")

# True positions (lat, lon) from GeoNames / Wikipedia.
RAJIN = (42.2556, 130.2831)
NAMPO = (38.7375, 125.4078)
KHARKIV = (49.9818, 36.2548)
KYIV = (50.4547, 30.5238)
PYONGYANG = (39.0339, 125.7543)
VLADIVOSTOK = (43.1056, 131.8735)
CHONGJIN = (41.7956, 129.7758)
DONETSK_UA = (48.0230, 37.8022)
MOSCOW = (55.7520, 37.6178)
ODESA = (46.4857, 30.7438)
ZAPORIZHZHIA = (47.8517, 35.1171)
KURSK = (51.7269, 36.1846)
KHASAN = (42.4300, 130.6400)
TUMANGANG = (42.4200, 130.6100)

SPELLINGS = [
    *[(s, RAJIN) for s in ["Rajin", "Rason", "Najin", "Raseon", "Раджин", "라진"]],
    *[(s, NAMPO) for s in ["Nampo", "Namp'o", "Nampho", "Nampʼo"]],
    *[(s, KHARKIV) for s in ["Kharkiv", "Kharkov", "Харків", "Харьков"]],
    *[(s, KYIV) for s in ["Kyiv", "Kiev", "Київ", "Киев"]],
    *[(s, PYONGYANG) for s in ["Pyongyang", "P'yŏngyang", "Pyeongyang", "평양"]],
    *[(s, VLADIVOSTOK) for s in ["Vladivostok", "Владивосток"]],
    *[(s, CHONGJIN) for s in ["Chongjin", "Ch'ŏngjin", "Cheongjin"]],
    ("Donetsk", DONETSK_UA),
    *[(s, MOSCOW) for s in ["Moscow", "Moskva", "Москва"]],
    *[(s, ODESA) for s in ["Odesa", "Odessa"]],
    *[(s, ZAPORIZHZHIA) for s in ["Zaporizhzhia", "Zaporozhye"]],
    ("Kursk", KURSK),
    ("Khasan", KHASAN),
    ("Tumangang", TUMANGANG),
]


def km(place: Place, true: tuple[float, float]) -> float:
    _, _, d = GEOD.inv(place.lon, place.lat, true[1], true[0])
    return d / 1000.0


@pytest.fixture(scope="module")
def gaz() -> Gazetteer:
    g = Gazetteer.default()
    assert g.index is not None  # load once for the module
    return g


@pytest.mark.parametrize("name,true", SPELLINGS)
def test_spellings_resolve_within_25_km(gaz, name, true):
    assert km(gaz.geocode(name), true) < 25.0


def test_normalize_name():
    assert normalize_name("  P’yŏngyang ") == "p'yongyang"
    assert normalize_name("Namp`o") == normalize_name("Nampʼo") == "namp'o"
    assert normalize_name("Rostov–on—Don") == "rostov on don"
    assert normalize_name("MOSKVA") == "moskva"


def test_miss_has_suggestions(gaz):
    with pytest.raises(PlaceNotFound) as e:
        gaz.geocode("Vladivostk")
    assert "Vladivostok" in e.value.suggestions
    assert len(e.value.suggestions) <= 5
    assert "Did you mean: Vladivostok (RU)" in str(e.value)
    assert "Gazetteer.from_csv" in str(e.value)


def test_miss_suggestions_restricted_to_country(gaz):
    with pytest.raises(PlaceNotFound) as e:
        gaz.geocode("Kharkif", country="UA")
    assert "Kharkiv" in e.value.suggestions
    assert "country='UA'" in str(e.value)


def test_springfield_is_ambiguous(gaz):
    with pytest.raises(AmbiguousPlace) as e:
        gaz.geocode("Springfield")
    assert len(e.value.candidates) > 1
    assert all(isinstance(c, Place) for c in e.value.candidates)
    assert "country=" in str(e.value) and "pop" in str(e.value)


def test_moscow_russia_with_alternative(gaz):
    p = gaz.geocode("Moscow")
    assert p.country == "RU" and p.kind == "city"
    assert any(a.country == "US" for a in p.alternatives)


def test_donetsk_ua_and_hint_ru(gaz):
    p = gaz.geocode("Donetsk")
    assert p.country == "UA"
    assert any(a.country == "RU" for a in p.alternatives)
    assert gaz.geocode("Donetsk", country="RU").country == "RU"


@pytest.mark.parametrize("hint", ["US", "USA", "United States", "America"])
def test_country_hint_narrows(gaz, hint):
    assert gaz.geocode("Moscow", country=hint).country == "US"
    # The hint, whatever its spelling, is reported as the code it was read as.
    with pytest.raises(
        AmbiguousPlace, match=r"^'Springfield' \(country='US'\) matches \d+ places"
    ) as e:
        gaz.geocode("Springfield", country=hint)  # still several US Springfields
    assert {c.country for c in e.value.candidates} == {"US"}
    assert gaz.geocode("Springfield", country="AU").country == "AU"


def test_country_hint_accepts_names(gaz):
    hints = ["UA", "UKR", "Ukraine", "North Korea", "DPRK", "Russia", "Russian Federation",
             "South Korea", "ROK", "Iran", "Syria", "Vietnam", "Türkiye", "Turkey",
             "Korea, Democratic People's Republic of"]  # fmt: skip
    codes = [gaz.country_code(h) for h in hints]
    assert codes == ["UA", "UA", "UA", "KP", "KP", "RU", "RU", "KR", "KR", "IR", "SY", "VN",
                     "TR", "TR", "KP"]  # fmt: skip
    with pytest.raises(GeocodeError, match="Unknown country hint 'Atlantis': give an ISO"):
        gaz.country_code("Atlantis")


def test_countries_and_regions(gaz):
    for name in ["North Korea", "DPRK", "PRK", "KP", "Korea, Democratic People's Republic of"]:
        p = gaz.geocode(name)
        assert (p.kind, p.country) == ("country", "KP")
    assert gaz.geocode("Russia").country == "RU"
    assert gaz.geocode("Georgia").kind == "country"
    assert gaz.geocode("Luxembourg").kind == "country"
    assert gaz.geocode("Luxembourg", country="LU").kind == "city"
    for name, cc in [("Donetsk Oblast", "UA"), ("Donetsk region", "UA"), ("Kursk Oblast", "RU"),
                     ("Primorsky Krai", "RU"), ("Primorye", "RU"), ("Kherson Oblast", "UA"),
                     ("Zaporizhzhia Oblast", "UA"), ("Belgorod Oblast", "RU"),
                     ("Luhansk Oblast", "UA"), ("Rason SEZ", "KP")]:  # fmt: skip
        p = gaz.geocode(name)
        assert (p.kind, p.country) == ("region", cc), name


def test_mode_prefers_fitting_site(gaz):
    assert gaz.geocode("Rajin").kind == "city"
    port = gaz.geocode("Rajin", mode="sea")
    assert port.kind == "port" and port.id == "site:rajin_port"
    assert any(a.kind == "city" for a in port.alternatives)
    assert any(a.kind == "port" for a in gaz.geocode("Rajin").alternatives)
    assert gaz.geocode("Khasan", mode="rail").kind == "rail_station"


def test_coordinates_and_place_passthrough(gaz):
    p = geocode("42.25, 130.28")
    assert p.kind == "coordinates" and p.latlon == (42.25, 130.28)
    assert geocode(p) is p
    assert parse_coordinates("42.25 130.28").latlon == (42.25, 130.28)
    assert parse_coordinates("-33.9,-70.6").latlon == (-33.9, -70.6)
    for name in ["Rajin", ""]:
        assert parse_coordinates(name) is None
    for bad, message in [
        ("91, 0", r"^Latitude 91 is out of range \[-90, 90\] in '91, 0'"),
        ("0, 181", r"^Longitude 181 is out of range \[-180, 180\] in '0, 181'"),
        ("1, 2, 3", r"'1, 2, 3': more than one separator; write 'lat, lon'"),
    ]:
        with pytest.raises(CoordinateError, match=message):
            parse_coordinates(bad)
    assert Place("A", 1.0, 2.0, None, "custom", "x").to_dict()["lat"] == 1.0


def test_geocode_all(gaz):
    names = ["Rajin", "Vladivostk", "Springfield", "Kiev", "Rajin", "42.1, 130.2", None]
    df = geocode_all(names, mode=["sea", None, None, None, None, None, None], gazetteer=gaz)
    assert list(df.columns) == ["query", "status", "place", "name", "lat", "lon", "country",
                                "kind", "score", "runner_up", "suggestions", "candidates",
                                "message"]  # fmt: skip
    assert list(df.index) == list(range(len(names)))
    assert list(df.status) == ["ok", "not_found", "ambiguous", "ok", "ok", "ok", "not_found"]
    assert df.kind[0] == "port" and df.kind[4] == "city"
    assert df.message[0] == "" and "Vladivostok" in df.suggestions[1]
    assert len(df.candidates[2]) > 1 and df.place[2] is None
    assert df.country[3] == "UA" and 0 <= df.score[3] <= 100
    assert df.lat.dtype == "float64"
    assert df.runner_up[3] is None and df.name[1] is None
    assert df.runner_up[4] == "Rajin (KP, port)"  # the town won; the port came second


def test_geocode_all_dedupes(gaz, monkeypatch):
    calls = []
    orig = Gazetteer._resolve_row

    def spy(self, *a):
        calls.append(a)
        return orig(self, *a)

    monkeypatch.setattr(Gazetteer, "_resolve_row", spy)
    df = gaz.geocode_all(["Kyiv", "Kursk"] * 5000, country="UA")
    assert len(df) == 10000 and len(calls) == 2
    assert df.status.tolist()[:2] == ["ok", "not_found"]


#: Every form parse_coordinates accepts or refuses; geocode_all parses the common decimal form
#: column-wise and must give exactly what parse_coordinates gives one value at a time.
COORDINATE_FORMS = [
    "42.25, 130.28", "42.25 130.28", "42.25;130.28", " -33.8688 ,151.2093 ", "+42.25, -0.5",
    "-0, 0", "42., .5", "0042.1, 130", "42.1234567, 130.7654321", "42.123456, 130.654321",
    "89.999999, 179.999999", "90, 180", "-90, -180", "90.000001, 0", "130.28, 42.25",
    "42.25, 190.5", "42,25, 130,28", "42.25 130.28 7", "(42.25, 130.28)", "42.25,\t130.28",
    "٤٢.٢٥, ١٣٠.٢٨", "47°05′N 37°33′E", "E37.55 N47.1", "47.1N 37.55E", "47 05 30 N 37 33 10 E",
    "47°75′N 37°33′E", "47N 37N", "37U CQ 12345 67890", "Rajin", "N1", "", "1e3, 5",
    "42.25, 130.28\u2028",
]  # fmt: skip


def test_geocode_all_parses_coordinates_like_parse_coordinates(gaz):
    queries = COORDINATE_FORMS * 3
    df = gaz.geocode_all(queries, mode=["sea", None, "rail"] * len(COORDINATE_FORMS))
    for q, row in zip(queries, df.itertuples(), strict=True):
        try:
            want = parse_coordinates(q)
        except CoordinateError as e:
            assert (row.status, row.message) == ("not_found", str(e)), q
            continue
        if want is None:
            assert row.place is None or row.place.kind != "coordinates", q
            continue
        assert row.status == "ok" and row.place == want, q
        assert (row.lat, row.lon, row.name, row.kind) == (want.lat, want.lon, want.name, want.kind)
        assert (
            str(row.lat) == str(want.lat)
            and row.place.near == gaz.near_labels([want.lat], [want.lon])[0]
        )
        assert row.candidates == [row.place] and row.suggestions == []


def test_geocode_all_many_coordinates(gaz):
    # 5,000 random "lat, lon" strings: the column-wise parse, checked value by value
    import numpy as np

    rng = np.random.default_rng(7)
    lat, lon = rng.uniform(-90, 90, 5000), rng.uniform(-180, 180, 5000)
    queries = [
        f"{a:.{k}f}, {b:.4f}" for a, b, k in zip(lat, lon, rng.integers(0, 8, 5000), strict=True)
    ]
    df = gaz.geocode_all(queries + queries[:5], mode=None)
    assert (df.status == "ok").all() and len(df) == 5005
    for i in rng.integers(0, 5000, 300).tolist() + list(range(5000, 5005)):
        want = parse_coordinates(queries[i % 5000])
        assert (df.lat[i], df.lon[i], df.name[i]) == (want.lat, want.lon, want.name)
    assert df.place[0] is df.place[5000]  # one Place per distinct string


def test_from_csv_precedence(gaz, tmp_path):
    f = tmp_path / "mine.csv"
    f.write_text("name,lat,lon,aliases,country,kind\nRajin,10.5,20.5,My Depot;MD,KP,depot\n")
    g = Gazetteer.from_csv(f, base=gaz)
    p = g.geocode("Rajin")
    assert p.latlon == (10.5, 20.5) and p.kind == "depot" and p.source == str(f)
    assert g.geocode("my depot").latlon == (10.5, 20.5)
    assert gaz.geocode("Rajin").latlon != (10.5, 20.5)  # the base is untouched
    g2 = Gazetteer.from_records([{"name": "Rajin", "lat": 1, "lon": 2}], base=g)
    assert g2.geocode("Rajin").latlon == (1.0, 2.0)
    assert g2.geocode("MD").latlon == (10.5, 20.5)


def test_from_csv_bad_rows(gaz, tmp_path):
    f = tmp_path / "bad.csv"
    f.write_text("name,lat,lon\nA,abc,1\n,1,2\nB,1,200\nC,1,2\n")
    with pytest.raises(GazetteerFileError) as e:
        Gazetteer.from_csv(f, base=gaz)
    msg = str(e.value)
    assert isinstance(e.value, ValueError)
    assert f"{f}:2: field 'lat' value 'abc': must be a number between -90 and 90" in msg
    assert f"{f}:3: field 'name'" in msg
    assert f"{f}:4: field 'lon' value '200'" in msg
    assert len(e.value.problems) == 3
    g = tmp_path / "nocol.csv"
    g.write_text("name,latitude,lon\nA,1,2\n")
    with pytest.raises(GazetteerFileError, match="missing required column"):
        Gazetteer.from_csv(g, base=gaz)


def test_search(gaz):
    assert gaz.search("Vladivostok", limit=1)[0].country == "RU"
    res = gaz.search("Kharkov", limit=5, country="UA")
    assert res and all(p.country == "UA" for p in res)


# ---------------------------------------------------------------- cache (tiny data set)
@pytest.fixture
def tiny_geonames(tmp_path, monkeypatch):
    return tiny.use_tiny_geonames(
        tmp_path, monkeypatch, [tiny.ALPHAVILLE, tiny.PYONGYANG], "Pyongyang"
    )


def test_cache_reused(tiny_geonames, monkeypatch):
    builds = tiny.count_index_builds(monkeypatch)
    g1 = Gazetteer()
    assert g1.geocode("Alfavil").name == "Alphaville"
    assert builds == [1]
    assert _index.cache_path().exists()
    mtime = _index.cache_path().stat().st_mtime_ns
    g2 = Gazetteer()
    assert g2.geocode("DPRK").country == "KP"
    assert builds == [1]
    assert _index.cache_path().stat().st_mtime_ns == mtime
    # (a .verified note appears beside the index once it is older than the racy window)
    names = [p.name for p in tiny_geonames.iterdir() if not p.name.endswith(".npz.verified")]
    assert names == [_index.cache_path().name]


def test_corrupt_cache_warns_and_works(tiny_geonames):
    path = _index.cache_path()
    path.parent.mkdir(parents=True)
    path.write_bytes(b"not a pickle")
    with pytest.warns(CacheWarning, match="failed its check"):
        assert Gazetteer().geocode("Alphaville").country == "KP"
    with warnings.catch_warnings():
        warnings.simplefilter("error", CacheWarning)
        assert Gazetteer().geocode("Alphaville").country == "KP"  # rewritten, now clean


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write anywhere")
def test_unwritable_cache_dir_warns(tiny_geonames):
    tiny_geonames.mkdir()
    tiny_geonames.chmod(0o500)
    try:
        with pytest.warns(CacheWarning, match="cannot write"):
            assert Gazetteer().geocode("Alphaville").country == "KP"
    finally:
        tiny_geonames.chmod(0o700)


def test_cache_dir_is_a_file_warns(tiny_geonames):
    tiny_geonames.write_text("I am a file, not a directory")
    with pytest.warns(CacheWarning, match="cannot write"):
        assert Gazetteer().geocode("Alphaville").country == "KP"


# ---------------------------------------------------------------- online (fakes only)
class FakeClock:
    def __init__(self):
        self.now = 100.0
        self.sleeps = []

    def clock(self):
        return self.now

    def sleep(self, s):
        self.sleeps.append(s)
        self.now += s


class Loc:
    def __init__(self, lat, lon, address):
        self.latitude, self.longitude, self.address = lat, lon, address
        self.raw = {"place_id": 42}


class FakeGeocoder:
    def __init__(self, fail=False):
        self.calls = []
        self.fail = fail

    def geocode(self, query, **kw):
        self.calls.append((query, kw))
        if self.fail:
            raise TimeoutError("service timed out")
        if query.startswith("Nowhere"):
            return None
        return Loc(1.5, 2.5, f"{query}, Somewhere")


def test_online_needs_user_agent():
    with pytest.raises(ValueError, match="user_agent"):
        OnlineGeocoder(user_agent="", geocoder=FakeGeocoder(), cache_path=":memory:")


def test_online_rate_limit_and_cache(tmp_path, gaz):
    fake, clk = FakeGeocoder(), FakeClock()
    og = OnlineGeocoder(user_agent="t", geocoder=fake, cache_path=tmp_path / "o.sqlite",
                        clock=clk.clock, sleep=clk.sleep)  # fmt: skip
    g = gaz.with_online(og)
    assert g.geocode("Zzyzx Depot 12", country="KP").latlon == (1.5, 2.5)
    assert g.geocode("Zzyzx Depot 13").source == "online:FakeGeocoder"
    assert clk.sleeps == [1.0]  # the second request waited a full second
    assert fake.calls[0][1]["country_codes"] == "kp"
    g.geocode("zzyzx depot 12", country="KP")  # cache hit, no call
    assert len(fake.calls) == 2
    with pytest.raises(PlaceNotFound, match="online geocoder"):
        g.geocode("Nowhere Qqq")
    assert g.geocode("Rajin").source.startswith("geonames:")  # offline first
    og2 = OnlineGeocoder(user_agent="t", geocoder=FakeGeocoder(), cache_path=tmp_path / "o.sqlite")
    assert og2.geocode("Zzyzx Depot 12", "KP").lat == 1.5 and og2.requests == 0


def test_online_failure_reported(gaz):
    og = OnlineGeocoder(user_agent="t", geocoder=FakeGeocoder(fail=True), cache_path=":memory:",
                        clock=lambda: 0.0, sleep=lambda s: None)  # fmt: skip
    g = gaz.with_online(og)
    with pytest.raises(OnlineGeocodeError, match="TimeoutError: service timed out"):
        g.geocode("Zzyzx Depot 12")
    df = g.geocode_all(["Zzyzx Depot 12", "Kyiv"])
    assert df.status.tolist() == ["not_found", "ok"]
    assert "timed out" in df.message[0]
    assert len(og.failures) == 2


def test_a_site_near_its_namesake_city_keeps_far_namesakes_out():
    """'Dunai' is the Primorye pier's town, not Dunāi in India; with mode='sea', the pier."""
    town = geocode("Dunai")
    assert (town.country, town.kind) == ("RU", "city")
    assert any(p.id == "site:dunai" for p in town.alternatives)
    pier = geocode("Dunai", mode="sea")
    assert (pier.country, pier.kind, pier.id) == ("RU", "port", "site:dunai")
