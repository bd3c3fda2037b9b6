"""Derive ``geoflows/_data/regions.csv`` (first-level regions worldwide) from kept sources.

Sources (downloaded by hand, not at run time):

* the npm package ``country-state-city-js`` (MIT, Rahul Arora): region names in English, ISO
  3166-2 codes and a representative point per region (``npm pack country-state-city-js``);
* the PyPI package ``pycountry`` (LGPL-2.1-or-later, data from Debian's iso-codes): the ISO
  3166-2 names and their translations, used for local-script names (Russian, Ukrainian, ...).

Run::

    npm pack country-state-city-js && tar xzf country-state-city-js-*.tgz        # -> package/
    pip download --no-deps pycountry && unzip pycountry-*.whl -d pyc              # -> pyc/
    python scripts/make_places_data.py package pyc/pycountry

The output is sorted and byte-stable for the same inputs.
"""

from __future__ import annotations

import csv
import gettext
import json
import sys
from pathlib import Path

#: Languages whose ISO 3166-2 translations are kept as aliases, by country.
LOCAL_LANGUAGES = {
    "RU": ("ru",),
    "UA": ("uk", "ru"),
    "BY": ("be", "ru"),
    "KZ": ("kk", "ru"),
    "KG": ("ky", "ru"),
    "MD": ("ro", "ru"),
    "GE": ("ka", "ru"),
    "AM": ("hy", "ru"),
    "AZ": ("az", "ru"),
    "CN": ("zh_CN", "zh_TW"),
    "TW": ("zh_TW", "zh_CN"),
    "JP": ("ja",),
    "KR": ("ko",),
    "KP": ("ko",),
    "IR": ("fa",),
    "SY": ("ar",),
    "IQ": ("ar",),
    "PL": ("pl",),
    "FI": ("fi",),
    "MN": ("mn",),
}

#: Korean names of the DPRK's provinces and special cities (iso-codes has no Korean ones).
KP_KOREAN = {
    "KP-01": "평양시;평양직할시",
    "KP-02": "평안남도",
    "KP-03": "평안북도",
    "KP-04": "자강도",
    "KP-05": "황해남도",
    "KP-06": "황해북도",
    "KP-07": "강원도",
    "KP-08": "함경남도",
    "KP-09": "함경북도",
    "KP-10": "량강도;양강도",
    "KP-13": "라선시;라선특별시",
    "KP-14": "남포시;남포특별시",
}

#: Russian names of Russia's federal subjects (iso-codes has no Russian translations for them).
RU_RUSSIAN = {
    "RU-AD": "Республика Адыгея;Адыгея",
    "RU-AL": "Республика Алтай",
    "RU-ALT": "Алтайский край",
    "RU-AMU": "Амурская область",
    "RU-ARK": "Архангельская область",
    "RU-AST": "Астраханская область",
    "RU-BA": "Республика Башкортостан;Башкирия",
    "RU-BEL": "Белгородская область",
    "RU-BRY": "Брянская область",
    "RU-BU": "Республика Бурятия;Бурятия",
    "RU-CE": "Чеченская Республика;Чечня",
    "RU-CHE": "Челябинская область",
    "RU-CHU": "Чукотский автономный округ;Чукотка",
    "RU-CU": "Чувашская Республика;Чувашия",
    "RU-DA": "Республика Дагестан;Дагестан",
    "RU-IN": "Республика Ингушетия;Ингушетия",
    "RU-IRK": "Иркутская область",
    "RU-IVA": "Ивановская область",
    "RU-KAM": "Камчатский край",
    "RU-KB": "Кабардино-Балкарская Республика",
    "RU-KC": "Карачаево-Черкесская Республика",
    "RU-KDA": "Краснодарский край",
    "RU-KEM": "Кемеровская область;Кузбасс",
    "RU-KGD": "Калининградская область",
    "RU-KGN": "Курганская область",
    "RU-KHA": "Хабаровский край",
    "RU-KHM": "Ханты-Мансийский автономный округ;Югра",
    "RU-KIR": "Кировская область",
    "RU-KK": "Республика Хакасия;Хакасия",
    "RU-KL": "Республика Калмыкия;Калмыкия",
    "RU-KLU": "Калужская область",
    "RU-KO": "Республика Коми;Коми",
    "RU-KOS": "Костромская область",
    "RU-KR": "Республика Карелия;Карелия",
    "RU-KRS": "Курская область",
    "RU-KYA": "Красноярский край",
    "RU-LEN": "Ленинградская область",
    "RU-LIP": "Липецкая область",
    "RU-MAG": "Магаданская область",
    "RU-ME": "Республика Марий Эл;Марий Эл",
    "RU-MO": "Республика Мордовия;Мордовия",
    "RU-MOS": "Московская область;Подмосковье",
    "RU-MOW": "Москва",
    "RU-MUR": "Мурманская область",
    "RU-NEN": "Ненецкий автономный округ",
    "RU-NGR": "Новгородская область",
    "RU-NIZ": "Нижегородская область",
    "RU-NVS": "Новосибирская область",
    "RU-OMS": "Омская область",
    "RU-ORE": "Оренбургская область",
    "RU-ORL": "Орловская область",
    "RU-PER": "Пермский край",
    "RU-PNZ": "Пензенская область",
    "RU-PRI": "Приморский край;Приморье",
    "RU-PSK": "Псковская область",
    "RU-ROS": "Ростовская область",
    "RU-RYA": "Рязанская область",
    "RU-SA": "Республика Саха (Якутия);Якутия",
    "RU-SAK": "Сахалинская область",
    "RU-SAM": "Самарская область",
    "RU-SAR": "Саратовская область",
    "RU-SE": "Республика Северная Осетия — Алания;Северная Осетия",
    "RU-SMO": "Смоленская область",
    "RU-SPE": "Санкт-Петербург",
    "RU-STA": "Ставропольский край",
    "RU-SVE": "Свердловская область",
    "RU-TA": "Республика Татарстан;Татарстан",
    "RU-TAM": "Тамбовская область",
    "RU-TOM": "Томская область",
    "RU-TUL": "Тульская область",
    "RU-TVE": "Тверская область",
    "RU-TY": "Республика Тыва;Тува",
    "RU-TYU": "Тюменская область",
    "RU-UD": "Удмуртская Республика;Удмуртия",
    "RU-ULY": "Ульяновская область",
    "RU-VGG": "Волгоградская область",
    "RU-VLA": "Владимирская область",
    "RU-VLG": "Вологодская область",
    "RU-VOR": "Воронежская область",
    "RU-YAN": "Ямало-Ненецкий автономный округ;Ямал",
    "RU-YAR": "Ярославская область",
    "RU-YEV": "Еврейская автономная область",
    "RU-ZAB": "Забайкальский край",
}

#: English type words for regions whose source name has none (``Kaliningrad`` -> oblast).
TYPE_SUFFIX = {
    "Administrative region": "Oblast",
    "Administrative territory": "Krai",
    "Republic": "Republic",
    "Autonomous district": "Autonomous Okrug",
    "Province": "Province",
}
TYPE_WORDS = ("oblast", "krai", "republic", "okrug", "province", "region", "city", "state")


def main(csc_dir: str, pycountry_dir: str, out: str = "geoflows/_data/regions.csv") -> None:
    pyc = Path(pycountry_dir)
    iso = {
        s["code"]: s for s in json.loads((pyc / "databases/iso3166-2.json").read_text())["3166-2"]
    }
    translators: dict[str, gettext.NullTranslations] = {}

    def tr(lang: str, text: str) -> str:
        if lang not in translators:
            translators[lang] = gettext.translation(
                "iso3166-2", localedir=str(pyc / "locales"), languages=[lang], fallback=True
            )
        return translators[lang].gettext(text)

    rows = []
    for f in sorted(Path(csc_dir, "db/states").glob("*/index.json")):
        for st in json.loads(f.read_text(encoding="utf-8")):
            cc, code = st["countryCode"], st["iso"]
            if not st.get("latitude") or not st.get("longitude") or "-" in code:
                continue
            full = f"{cc}-{code}"
            name = st["name"].strip()
            aliases: list[str] = []
            sub = iso.get(full)
            if sub is not None:
                if cc in ("RU", "UA", "BY", "KZ") and not any(
                    w in name.lower() for w in TYPE_WORDS
                ):
                    suffix = TYPE_SUFFIX.get(sub["type"])
                    if suffix:
                        aliases.append(name)
                        name = f"{name} {suffix}"
                aliases.append(sub["name"])
                for lang in LOCAL_LANGUAGES.get(cc, ()):
                    local = tr(lang, sub["name"])
                    if local != sub["name"]:
                        aliases.append(local)
            aliases += KP_KOREAN.get(full, "").split(";") if full in KP_KOREAN else []
            aliases += RU_RUSSIAN.get(full, "").split(";") if full in RU_RUSSIAN else []
            seen: set[str] = {name}
            uniq = [a for a in aliases if a and not (a in seen or seen.add(a))]
            lat, lon = round(float(st["latitude"]), 4), round(float(st["longitude"]), 4)
            rows.append((full, cc, name, f"{lat:.4f}", f"{lon:.4f}", ";".join(uniq)))
    rows.sort()
    with open(out, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(("code", "country", "name", "lat", "lon", "aliases"))
        w.writerows(rows)
    print(f"{len(rows)} regions -> {out}")


if __name__ == "__main__":
    main(*sys.argv[1:])
