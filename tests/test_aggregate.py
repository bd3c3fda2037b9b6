"""Aggregation that never lies (issue 13 §4–5): every rule of FlowSet.aggregate, and the same
rules on Dask with gf.aggregate_flows (default scheduler and a 2-worker LocalCluster)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import geoflows as gf

LANE = {"origin": "Rajin", "destination": "Vladivostok"}
NAMES = ["Rajin", "Vladivostok", "Istanbul", "Port of Odesa", "Novorossiysk"]


def agg(rows: list[dict], **kwargs) -> pd.DataFrame:
    flows = gf.read_flows([{**LANE, **r} for r in rows])
    g = flows.aggregate(**kwargs).to_geodataframe()
    return g.sort_values(["unit"] + (["period"] if "period" in g else [])).reset_index(drop=True)


def test_units_are_never_summed_together():
    g = agg(
        [
            {"volume": 10, "unit": "tonnes"},
            {"volume": 5, "unit": "tonnes"},
            {"volume": 3, "unit": "containers"},
            {"volume": 7},
        ]
    )
    assert g[["unit", "volume", "n_records"]].values.tolist() == [
        ["", 7.0, 1],
        ["containers", 3.0, 1],
        ["tonnes", 15.0, 2],
    ]


def test_unit_is_always_in_the_key_even_when_by_leaves_it_out():
    g = agg([{"volume": 1, "unit": "a"}, {"volume": 2, "unit": "b"}], by=["origin"])
    assert sorted(g["unit"]) == ["a", "b"]


def test_ranges_are_summed_as_low_and_high():
    g = agg(
        [
            {"volume_low": 1000, "volume_high": 2000, "unit": "t"},
            {"volume": 500, "unit": "t"},
            {"volume": 300, "volume_low": 200, "volume_high": 400, "unit": "t"},
        ]
    )
    row = g.iloc[0]
    assert (row["volume_low"], row["volume_high"]) == (1700.0, 2900.0)
    assert math.isnan(row["volume"])  # not every record has one number


def test_open_high_bound_leaves_the_high_sum_open():
    g = agg([{"volume_low": 10, "unit": "t"}, {"volume": 5, "unit": "t"}])
    assert g.iloc[0]["volume_low"] == 15.0 and math.isnan(g.iloc[0]["volume_high"])


def test_unknown_volumes_are_counted_not_zero():
    g = agg([{"volume": 10, "unit": "t"}, {"unit": "t"}, {"volume": 5, "unit": "t"}, {"unit": "s"}])
    s, t = g.iloc[0], g.iloc[1]
    # Only unknown: nothing is claimed.
    assert s["n_volume_unknown"] == 1 and math.isnan(s["volume"]) and math.isnan(s["volume_low"])
    # Some unknown: at least the known sum, open above; never "15" as if the rest were 0.
    assert t["n_records"] == 3 and t["n_volume_unknown"] == 1
    assert math.isnan(t["volume"]) and t["volume_low"] == 15.0 and math.isnan(t["volume_high"])


def test_confidence_is_the_weakest_of_the_group():
    g = agg(
        [
            {"volume": 1, "unit": "a", "confidence": "confirmed"},
            {"volume": 1, "unit": "a", "confidence": "claimed"},
            {"volume": 1, "unit": "a", "confidence": "reported"},
            {"volume": 1, "unit": "b", "confidence": "confirmed"},
            {"volume": 1, "unit": "b", "confidence": "0.6"},
            {"volume": 1, "unit": "c", "confidence": "confirmed"},
            {"volume": 1, "unit": "c"},
        ]
    )
    assert g["confidence"].tolist() == ["claimed", "reported", ""]


def test_sources_dates_ids_and_shared_fields():
    rows = [
        {"volume": 1, "unit": "t", "source": "A ; B", "start": "2024-01-05", "end": "2024-01-09",
         "kind": "shipment", "mode": "sea", "category": "coal"},
        {"volume": 2, "unit": "t", "source": "B ; C", "start": "2024-02-01",
         "kind": "shipment", "mode": "road", "category": "coal"},
    ]  # fmt: skip
    g = agg(rows)
    row = g.iloc[0]
    assert row["source"] == "A ; B ; C"
    assert (str(row["start"].date()), str(row["end"].date())) == ("2024-01-05", "2024-02-01")
    assert (row["kind"], row["category"], row["mode"]) == ("shipment", "coal", "")
    again = agg(list(reversed(rows)))
    assert again.iloc[0]["id"] == row["id"] and row["id"].startswith("agg-")
    assert row["volume"] == 3.0


def test_periods_group_by_calendar():
    rows = [
        {"volume": 1, "unit": "t", "start": "2024-01-01"},  # Monday
        {"volume": 2, "unit": "t", "start": "2024-01-07"},  # Sunday, same week
        {"volume": 4, "unit": "t", "start": "2024-03-31"},
        {"volume": 8, "unit": "t", "start": "2024-04-01"},
        {"volume": 16, "unit": "t"},
    ]
    by_period = {
        p: dict(zip(g["period"], g["volume"], strict=True))
        for p in ("W", "M", "Q", "Y")
        for g in [agg(rows, period=p)]
    }
    assert by_period["W"] == {
        "": 16.0,
        "2024-01-01/2024-01-07": 3.0,
        "2024-03-25/2024-03-31": 4.0,
        "2024-04-01/2024-04-07": 8.0,
    }
    assert by_period["M"] == {"": 16.0, "2024-01": 3.0, "2024-03": 4.0, "2024-04": 8.0}
    assert by_period["Q"] == {"": 16.0, "2024Q1": 7.0, "2024Q2": 8.0}
    assert by_period["Y"] == {"": 16.0, "2024": 15.0}


def test_aggregate_keeps_places_and_lines_and_exports():
    flows = gf.read_flows(
        [{**LANE, "volume": v, "unit": "t", "mode": "sea"} for v in (1, 2)]
        + [{"origin": "Istanbul", "destination": "Port of Odesa", "volume": 4, "unit": "t"}]
    )
    g = flows.aggregate().to_geodataframe()
    assert len(g) == 2
    first = flows.to_geodataframe()
    lane = g[g["origin"] == "Rajin"].iloc[0]
    assert lane["route_kind"] == first["route_kind"].iloc[0]
    assert lane.geometry.equals(first.geometry.iloc[0])
    assert lane["origin_lat"] == first["origin_lat"].iloc[0]


def test_bad_by_and_period_are_refused():
    flows = gf.read_flows([LANE])
    with pytest.raises(gf.AggregationError, match="no column 'ship'"):
        flows.aggregate(by=["ship"])
    with pytest.raises(gf.AggregationError, match="by cannot hold 'volume'"):
        flows.aggregate(by=["volume"])
    with pytest.raises(gf.AggregationError, match="must be one of None, 'W', 'M', 'Q', 'Y'"):
        flows.aggregate(period="month")


# --------------------------------------------------------------------------- Dask
def synthetic(n: int, seed: int = 13) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    o = rng.integers(0, len(NAMES), n)
    d = (o + rng.integers(1, len(NAMES), n)) % len(NAMES)
    volume = rng.integers(1, 1000, n).astype(float)
    volume[rng.random(n) < 0.05] = np.nan
    return pd.DataFrame(
        {
            "origin": np.array(NAMES, dtype=object)[o],
            "destination": np.array(NAMES, dtype=object)[d],
            "unit": np.where(rng.random(n) < 0.5, "tonnes", "containers").astype(object),
            "volume": volume,
            "start": pd.Timestamp("2024-01-01")
            + pd.to_timedelta(rng.integers(0, 366, n), unit="D"),
            "source": np.array(["AIS", "customs", "AIS ; press"], dtype=object)[
                rng.integers(0, 3, n)
            ],
        }
    )


def pandas_truth(df: pd.DataFrame) -> pd.DataFrame:
    month = df["start"].dt.to_period("M").astype(str)
    g = df.assign(period=month).groupby(["origin", "destination", "unit", "period"])
    return pd.DataFrame(
        {
            "known_sum": g["volume"].sum(),
            "truth_records": g.size(),
            "truth_unknown": g.size() - g["volume"].count(),
        }
    ).reset_index()


def check_against_pandas(flows: gf.FlowSet, df: pd.DataFrame) -> None:
    got = flows.to_geodataframe()
    truth = pandas_truth(df)
    merged = truth.merge(
        got, on=["origin", "destination", "unit", "period"], how="outer", indicator=True
    )
    assert (merged["_merge"] == "both").all()
    assert merged["n_records"].sum() == len(df)
    np.testing.assert_array_equal(merged["n_records"], merged["truth_records"])
    np.testing.assert_array_equal(merged["n_volume_unknown"], merged["truth_unknown"])
    known = np.where(merged["n_volume_unknown"] > 0, merged["volume_low"], merged["volume"])
    # pandas says 0 for a group whose volumes are all unknown; geoflows claims nothing (NaN).
    all_unknown = merged["truth_unknown"] == merged["truth_records"]
    expected = np.where(all_unknown, np.nan, merged["known_sum"])
    np.testing.assert_allclose(known, expected, rtol=1e-12)


@pytest.mark.slow
def test_aggregate_flows_equals_the_flowset_rules():
    df = synthetic(2000)
    dask_flows = gf.aggregate_flows(df, period="M")
    mem = gf.read_flows(df).aggregate(period="M")
    a = dask_flows.to_geodataframe().sort_values("id").reset_index(drop=True)
    b = mem.to_geodataframe().sort_values("id").reset_index(drop=True)
    cols = ["id", "origin", "destination", "unit", "period", "n_records", "n_volume_unknown",
            "volume", "volume_low", "volume_high", "source", "start", "end"]  # fmt: skip
    pd.testing.assert_frame_equal(a[cols], b[cols], check_dtype=False)
    check_against_pandas(dask_flows, df)


@pytest.mark.slow
def test_aggregate_flows_reads_a_glob_of_parquet_and_csv(tmp_path):
    df = synthetic(3000)
    for i in range(3):
        df.iloc[i * 1000 : (i + 1) * 1000].to_parquet(tmp_path / f"part{i}.parquet")
    csv = tmp_path / "records.csv"
    df.rename(columns={"origin": "from_port", "destination": "to_port"}).to_csv(csv, index=False)
    a = gf.aggregate_flows(str(tmp_path / "*.parquet"), period="M")
    b = gf.aggregate_flows(
        csv, period="M", columns={"from_port": "origin", "to_port": "destination"}
    )
    check_against_pandas(a, df)
    check_against_pandas(b, df)
    assert a.to_geodataframe()["id"].tolist() == b.to_geodataframe()["id"].tolist()
    # a glob that matches one file is a glob too (it was taken for a path and refused)
    one = tmp_path / "one"
    one.mkdir()
    df.to_parquet(one / "only.parquet")
    check_against_pandas(gf.aggregate_flows(str(one / "*.parquet"), period="M"), df)


def test_aggregate_flows_errors_come_before_any_compute(tmp_path):
    dd = pytest.importorskip("dask.dataframe")

    def boom(part: pd.DataFrame) -> pd.DataFrame:
        raise AssertionError("computed")

    df = synthetic(100)
    lazy = dd.from_pandas(df, npartitions=2).map_partitions(boom, meta=df.iloc[:0])
    with pytest.raises(gf.AggregationError, match="no column 'ship'"):
        gf.aggregate_flows(lazy, by=["ship"])
    with pytest.raises(gf.FlowValidationError, match="unknown field 'orgin'"):
        gf.aggregate_flows(lazy, columns={"origin": "orgin"})
    with pytest.raises(gf.AggregationError, match="no column 'origin'"):
        gf.aggregate_flows(lazy.drop(columns="origin"))
    with pytest.raises(gf.GeoflowsError, match="no such file"):
        gf.aggregate_flows(str(tmp_path / "none*.parquet"))


def test_aggregate_flows_counts_bad_volumes_as_unknown_with_a_warning():
    df = pd.DataFrame({**LANE, "volume": ["5", "lots", "-3", "2"], "unit": "t"}, index=range(4))
    with pytest.warns(gf.GeoflowsWarning, match="2 record"):
        g = gf.aggregate_flows(df).to_geodataframe()
    assert g["n_volume_unknown"].tolist() == [2] and g["volume_low"].tolist() == [7.0]


@pytest.mark.slow
def test_local_cluster_of_two_workers_matches_pandas_on_a_million_records(tmp_path):
    distributed = pytest.importorskip("distributed")
    df = synthetic(1_000_000)
    for i in range(4):
        df.iloc[i * 250_000 : (i + 1) * 250_000].to_parquet(tmp_path / f"part{i}.parquet")
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        with distributed.get_task_stream(client) as stream:
            flows = gf.aggregate_flows(str(tmp_path / "*.parquet"), period="M")
    # The records were summed on the cluster: tasks ran there, on both workers.
    assert len(stream.data) >= 4
    assert len({t["worker"] for t in stream.data}) == 2
    check_against_pandas(flows, df)
    assert len(flows) == 5 * 4 * 2 * 12


def test_aggregate_flows_reads_dates_as_read_flows_does():
    """Issue 25 item 7: naive and offset dates mixed agree on both paths; bad dates are our error."""
    records = pd.DataFrame(
        {
            "origin": ["Rajin"] * 2,
            "destination": ["Vladivostok"] * 2,
            "volume": [1, 2],
            "start": ["2024-01-05", "2024-01-05T03:00+05:00"],
        }  # fmt: skip
    )
    cols = ["start", "end", "volume", "n_records"]
    on_dask = gf.aggregate_flows(records).to_geodataframe()[cols]
    in_memory = gf.read_flows(records).aggregate().to_geodataframe()[cols]
    assert on_dask.values.tolist() == in_memory.values.tolist()
    assert (
        on_dask.iloc[0]["n_records"] == 2 and str(on_dask.iloc[0]["start"].date()) == "2024-01-04"
    )
    with pytest.raises(gf.AggregationError, match=r"'2300-01-01'.*1678 and 2262"):
        gf.aggregate_flows(records.assign(start=["2024-01-01", "2300-01-01"]))


# --------------------------------------------------------------------------- claims (issue 22 §2)
STORY = "tests/data/iran_dprk_russia_2022_2025.csv"


@pytest.fixture(scope="module")
def story() -> gf.FlowSet:
    return gf.read_flows(STORY)


def _lane(g: pd.DataFrame, origin: str, destination: str, unit: str) -> pd.Series:
    hit = g[(g["origin"] == origin) & (g["destination"] == destination) & (g["unit"] == unit)]
    assert len(hit) == 1, hit[["origin", "destination", "unit"]]
    return hit.iloc[0]


def test_one_movements_claims_count_once_as_their_spread(story):
    """8,000, 11,000 and 10,000-12,000 troops about one movement are 8,000-12,000, not 29,000;
    spellings of one place (Wonsan, 원산; Vladivostok, Владивосток) are one lane."""
    g = story.filter(units=["troops"]).aggregate().to_geodataframe()
    row = _lane(g, "Wonsan Port", "Vladivostok", "troops")  # named as resolved for sea
    assert math.isnan(row["volume"])
    assert (row["volume_low"], row["volume_high"]) == (8000.0, 12000.0)
    assert (row["n_records"], row["n_movements"]) == (3, 1)
    # an open claim stays open: "more than 200" beside 2,000-2,400 is 200 and more
    rail = _lane(story.aggregate().to_geodataframe(), "Rajin", "Tikhoretsk", "rail cars")
    assert rail["volume_low"] == 200.0 and math.isnan(rail["volume_high"])
    assert (rail["n_records"], rail["n_movements"]) == (2, 1)


def test_movements_of_different_groups_on_one_lane_still_add_up():
    rows = [
        {"volume": 8000, "unit": "troops", "group": "a"},
        {"volume": 11000, "unit": "troops", "group": "a"},  # the same movement
        {"volume": 3000, "unit": "troops", "group": "b"},  # another movement
        {"volume": 500, "unit": "troops"},  # no group: a movement of its own
        {"unit": "troops", "group": "c"},  # a movement of unknown size
    ]
    row = agg(rows).iloc[0]
    # a is 8,000-11,000, plus 3,000 and 500; c (size unknown) leaves the high bound open
    assert row["volume_low"] == 11500.0 and math.isnan(row["volume_high"])
    assert (row["n_records"], row["n_movements"], row["n_volume_unknown"]) == (5, 4, 1)
    exact = agg(
        [{"volume": 7, "unit": "t", "group": "a"}, {"volume": 7, "unit": "t", "group": "a"}]
    )
    assert (exact.iloc[0]["volume"], exact.iloc[0]["n_movements"]) == (7.0, 1)


def test_aggregate_flows_counts_a_movement_once_across_partitions():
    rows = pd.DataFrame(
        {
            "origin": ["Rajin", "나진", "Rajin"],
            "destination": ["Dunai"] * 3,
            "volume": [1000, 2000, 50],
            "unit": "containers",
            "group": ["g1", "g1", ""],
        }
    )
    import dask.dataframe as dd

    flows = gf.aggregate_flows(dd.from_pandas(rows, npartitions=3))
    g = flows.to_geodataframe()
    # a lane is its place, on Dask as in pandas: Rajin and 나진 are one lane, where g1's two
    # claims (1,000 and 2,000, in two partitions) are one movement beside the ungrouped 50
    (rajin,) = g.to_dict("records")
    assert (rajin["origin"], rajin["volume_low"], rajin["volume_high"]) == ("Rajin", 1050, 2050)
    assert (rajin["n_records"], rajin["n_movements"]) == (3, 2)
    local = gf.read_flows(rows).aggregate().to_geodataframe().iloc[0]
    for column in ("volume", "volume_low", "volume_high", "n_records", "n_movements", "group"):
        assert rajin[column] == local[column] or (pd.isna(rajin[column]) and pd.isna(local[column]))
    one = gf.aggregate_flows(
        dd.from_pandas(rows.iloc[[0, 1]].assign(origin="Rajin"), npartitions=2)
    )
    row = one.to_geodataframe().iloc[0]
    assert (row["volume_low"], row["volume_high"], row["n_records"]) == (1000.0, 2000.0, 2)


# --------------------------------------------------------------------------- disagreeing groups
def test_a_group_naming_two_ports_is_one_flow_per_lane_that_keeps_its_group(story):
    """Issue 22 §3: shahed-first's sources name Bandar Anzali and Nowshahr: one flow on each
    lane, each one movement of one claim, each keeping the group that makes them one movement."""
    g = story.filter(units=["ships"]).aggregate().to_geodataframe()
    for origin in ("Anzali port", "Nowshahr"):
        row = _lane(g, origin, "Astrakhan", "ships")
        assert (row["group"], row["n_records"], row["n_movements"]) == ("shahed-first", 1, 1)
    assert _lane(g, "Nekā", "Astrakhan", "ships")["group"] == ""  # a record of no group
    troops = _lane(story.aggregate().to_geodataframe(), "Wonsan Port", "Vladivostok", "troops")
    assert (troops["group"], troops["n_records"]) == ("troops-kursk", 3)
    # a flow adding up movements of several groups, or of a group and none, is no one movement
    two = [{"volume": 8000, "unit": "troops", "group": "a"}, {"volume": 3000, "unit": "troops"}]
    assert agg(two).iloc[0]["group"] == ""
    assert agg([two[0], {**two[1], "group": "b"}]).iloc[0]["group"] == ""


def test_an_aggregated_group_counts_once_where_its_lanes_meet(tmp_path):
    """Sources naming Rajin (5 ships) and Chongjin (3) for one movement to Vladivostok: each
    port has the claim naming it, Vladivostok the movement once (3-5 ships, drawn as 4), before
    and after aggregation: never 8 ships from two flows. The map of the aggregated flows draws
    them as two lines of one movement."""
    import pyogrio

    from geoflows.render import build_payload
    from geoflows.render._payload import expand

    base = {"destination": "Vladivostok", "unit": "ships", "group": "g", "mode": "sea"}
    flows = gf.read_flows(
        [
            {**base, "origin": "Rajin", "volume": 5, "source": "Source A"},
            {**base, "origin": "Chongjin", "volume": 3, "source": "Source C"},
        ]
    )
    for name, f in (("raw", flows), ("agg", flows.aggregate())):
        places = pyogrio.read_dataframe(
            f.to_file(tmp_path / f"{name}.gpkg"), layer=f"{name}_places"
        )
        at = places.set_index("name")
        assert at.loc["Vladivostok", ["flows_in", "claims_in", "volume_in_ships"]].tolist() == [
            1,
            2,
            4.0,
        ], name
        assert (
            at.loc["Rajin", "volume_out_ships"] == 5.0 and at.loc["Chongjin Port", "flows_out"] == 1
        )
    e = expand(build_payload(flows.aggregate()))
    assert e["claims"] == [[0, 1]] and sorted(e["claimPart"]) == [0, 1]
