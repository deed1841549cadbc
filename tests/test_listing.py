"""The listing's substring search: the same answers as a plain scan, with runs of data files skipped."""

from __future__ import annotations

import random

import pytest

from verifier.listing import END, MIN_PATHS, MIN_RUN, STRIDE, Listing, Run, Verdict, _RunFinder

TYPES = ("png", "json", "txt", "npy", "wav", "csv")


def dataset_paths() -> list[str]:
    """A repository that commits a dataset: runs, folders of two and of many types, nested folders, dotted
    folders."""
    paths = [f"data/raw/{folder:03d}/img_{n:05d}.png" for folder in range(4) for n in range(600)]
    paths += [f"data/v1.0/cats/Cat_{n}.JPG" for n in range(300)]  # a dot in the folder name
    paths += ["data/labels/README.md"] + [f"data/labels/l{n:04d}.csv" for n in range(250)]  # README first
    paths += [f"data/mixed/s{n:04d}.{'wav' if n % 2 else 'txt'}" for n in range(300)]  # a run of two types
    paths += [f"data/many/s{n:04d}.{TYPES[n % len(TYPES)]}" for n in range(600)]  # too many types: no run
    paths += [f"data/two/a{n:04d}.tar.gz" for n in range(300)]  # two dots per name: no run
    paths += [f"data/nest/{n:04d}.npy" for n in range(300)] + [
        "data/nest/sub/x.py"
    ]  # the run stops before sub/
    paths += [f"node_modules/pkg/f{n:04d}.js" for n in range(250)]
    paths += [f"data/train/c{n // 40:03d}/im{n:04d}.png" for n in range(1_200)]  # 30 small class folders
    paths += [
        f"data/v2.1/c{n // 40:03d}/im{n:04d}.jpg" for n in range(1_200)
    ]  # the same below a dotted folder
    paths += [f"data/nest2/{n:04d}.npy" for n in range(300)] + [
        "data/nest2/sub/y.npy"
    ]  # a subfolder, same type
    paths += ["src/pkg/data.py", "src/pkg/train.py", "Dockerfile", "configs/config.yaml", "Pipfile"]
    paths += ["tests/test_data.py", "reports/figures/loss.png", "reports/README.md", "a/pyvenv.cfg"]
    return sorted(set(paths))


@pytest.fixture(scope="module")
def listing() -> Listing:
    paths = dataset_paths()
    assert len(paths) >= MIN_PATHS
    return Listing(paths)


def assert_in_run(path: str, run: Run) -> None:
    rest = path.removeprefix(run.folder)
    assert path.startswith(run.folder) and rest.count(".") <= 1 and (not run.flat or "/" not in rest), path
    if "." in rest:
        assert rest.endswith(run.suffixes) and "/" not in rest[rest.find(".") :], path
    else:
        assert run.dotless, path


def shapes(listing: Listing) -> set[tuple[str, frozenset[str], int]]:
    return {(run.folder, frozenset(run.suffixes), run.last - run.first + 1) for run in listing.runs}


def test_runs_are_folders_of_few_suffixes_and_nothing_else(listing: Listing) -> None:
    assert shapes(listing) == {
        *((f"data/raw/{folder:03d}/", frozenset({".png"}), 600) for folder in range(4)),
        ("data/v1.0/cats/", frozenset({".JPG"}), 300),
        ("data/labels/", frozenset({".csv"}), 250),
        ("data/mixed/", frozenset({".txt", ".wav"}), 300),
        ("data/nest/", frozenset({".npy"}), 300),
        ("node_modules/pkg/", frozenset({".js"}), 250),
        ("data/train/", frozenset({".png"}), 1_200),
        ("data/v2.1/", frozenset({".jpg"}), 1_200),
        ("data/nest2/", frozenset({".npy"}), 300),
    }
    assert [run.folder for run in listing.runs if not run.flat] == ["data/train/", "data/v2.1/"]
    for run in listing.runs:
        assert listing.text[run.start] == "\x00" and listing.text[run.end] == "\x00"
        members = listing.text[run.start + 1 : run.end].split("\x00")
        assert members == list(listing.paths[run.first : run.last + 1])
        for path in members:
            assert_in_run(path, run)
        assert run.dotless == any("." not in path.removeprefix(run.folder) for path in members)


def test_runs_are_found_in_any_order_of_folders_and_never_in_folders_of_many_types() -> None:
    many = [f"m/{n:05d}.{TYPES[n % len(TYPES)]}" for n in range(6_000)]
    assert Listing(sorted(many)).runs == []
    paths = many[:1_000] + [f"m/z{n:04d}.png" for n in range(700)] + [f"a/{n}.x" for n in range(1_500)]
    assert shapes(Listing(sorted(paths))) == {
        ("m/", frozenset({".png"}), 700),
        ("a/", frozenset({".x"}), 1_500),
    }


NEEDLES = [
    ".py",
    ".png",
    ".pn",
    ".p",
    "png",
    "img_",
    "/img",
    "img_00001.png\x01",
    "raw/",
    "raw/0",
    "000/img",
    "000/",
    "/",
    ".",
    ".DS_Store",
    "x.y.z",
    ".tar.gz",
    ".gz",
    "a0001.tar",
    "Dockerfile",
    "Pipfile",
    "config",
    "configs/",
    "tests/test_",
    "reports/figures",
    "/pyvenv.cfg",
    "cats/Cat_1",
    "v1.0/",
    ".0/cats/",
    "1.0/cats/Cat_12.JPG",
    "data/raw/001/img_00601.png",
    ".jpg",
    ".JPG",
    "l0001.csv",
    "sub/",
    "nest2/sub",
    "sub/y.npy",
    "v2.1/c003/im01",
    ".1/c0",
    "2.1/",
    "train/c00",
    "c029/",
    "/im1",
    ".jp",
]


@pytest.mark.parametrize("needle", NEEDLES)
def test_containing_finds_what_a_plain_scan_finds(listing: Listing, needle: str) -> None:
    assert listing.containing(needle) == [path for path in listing.paths if needle in path]


def test_random_substrings_of_paths_are_found_like_a_plain_scan(listing: Listing) -> None:
    chooser = random.Random(2476)
    for _ in range(300):
        path = chooser.choice(listing.paths)
        start = chooser.randrange(len(path))
        needle = path[start : chooser.randrange(start + 1, len(path) + 1)]
        assert listing.containing(needle) == [p for p in listing.paths if needle in p], needle


END_NEEDLES = [
    "Pipfile",
    "Dockerfile",
    "Makefile",
    "png",
    "ng",
    ".png",
    "img_00001.png",
    "/img_00001.png",
    "001/img_00601.png",
    "raw/001/",
    ".JPG",
    "Cat_12.JPG",
    "s0001.wav",
    ".tar.gz",
    "gz",
    "00.npy",
    "sub/y.npy",
    "sub/x.py",
    "/x.py",
    "README.md",
    "c029/im1",
    "im1199.jpg",
    "v2.1/c003/im0120.jpg",
    "data.py",
]


@pytest.mark.parametrize("tail", END_NEEDLES)
def test_a_needle_ending_in_nul_finds_the_paths_ending_with_it(listing: Listing, tail: str) -> None:
    assert listing.containing(tail + END) == [path for path in listing.paths if path.endswith(tail)]


def test_names_without_a_dot_end_no_path_of_a_run_of_suffixed_names(listing: Listing) -> None:
    for tail in ("Pipfile", "Makefile", "/Dockerfile", "data/Makefile"):
        assert Verdict.SCAN not in listing.verdicts(tail + END), tail
        assert Verdict.SCAN in listing.verdicts(tail.lstrip("/")), tail  # a stem may hold it
    verdicts = zip(listing.runs, listing.verdicts("png" + END), strict=True)
    assert {run.folder for run, verdict in verdicts if verdict is Verdict.SCAN} >= {
        "data/raw/000/",
        "data/train/",
    }
    assert listing.containing("a" + END + "b") == []  # a NUL inside a needle: no path holds one


def test_random_path_ends_are_found_like_a_plain_scan(listing: Listing) -> None:
    chooser = random.Random(17)
    for _ in range(300):
        path = chooser.choice(listing.paths)
        tail = path[chooser.randrange(len(path)) :]
        assert listing.containing(tail + END) == [p for p in listing.paths if p.endswith(tail)], tail


def test_verdicts_shared_by_runs_of_one_shape_are_each_runs_own(listing: Listing) -> None:
    chooser = random.Random(5)
    needles = [*NEEDLES, *(tail + END for tail in END_NEEDLES), "raw", "cats", "Cat", "data"]
    needles += [
        path[start : start + 6] for path in chooser.sample(listing.paths, 200) for start in (0, 5, 12)
    ]
    for needle in needles:
        assert listing.verdicts(needle) == [run.verdict(needle) for run in listing.runs], needle


def test_searches_for_suffixes_and_folders_read_no_flat_run(listing: Listing) -> None:
    for needle in (".py", ".DS_Store", "/pyvenv.cfg", ".github/workflows"):
        assert Verdict.SCAN not in listing.verdicts(needle), needle
    for needle in ("configs/", "tests/test_"):  # a folder below a run that is not flat may hold them
        verdicts = zip(listing.runs, listing.verdicts(needle), strict=True)
        assert {verdict for run, verdict in verdicts if run.flat} == {Verdict.NONE}, needle
    assert Verdict.SCAN in listing.verdicts("Pipfile")  # a stem may hold it
    verdicts = zip(listing.runs, listing.verdicts("raw/"), strict=True)
    assert {verdict for run, verdict in verdicts if run.flat} == {Verdict.ALL, Verdict.NONE}


def test_lowercase_search_matches_a_plain_lowercase_scan(listing: Listing) -> None:
    lowercase = listing.lowercase()
    assert lowercase is not None
    for needle in ("cat_1", ".jpg", "dockerfile", "readme", "v1.0/cats/"):
        assert lowercase.containing(needle) == [p for p in listing.paths if needle in p.lower()], needle
    assert lowercase.text is listing.text  # the listing's own text, not joined again


def test_lowercase_that_changes_the_length_gives_no_listing() -> None:
    assert Listing(["src/İ.py"]).lowercase() is None


def test_skipped_folders_are_found_in_runs_and_outside_them(listing: Listing) -> None:
    def skipped(path: str) -> bool:
        return "node_modules/" in path

    assert listing.any_folder(skipped, ["node_modules/"])
    without = Listing([path for path in listing.paths if not path.startswith("node_modules/")])
    assert not without.any_folder(skipped, ["node_modules/"])
    small = Listing(["node_modules/x.js", "src/a.py"])  # no runs: the markers decide
    assert small.any_folder(skipped, ["node_modules/"])


def test_a_small_listing_has_no_runs() -> None:
    paths = [f"data/img_{n:04d}.png" for n in range(MIN_RUN * 2)]
    assert Listing(paths).runs == []
    assert Listing(paths).containing(".png") == paths


@pytest.mark.parametrize("seed", range(10))
def test_random_listings_keep_the_run_invariants_and_plain_scan_answers(seed: int) -> None:
    chooser = random.Random(seed)
    paths: set[str] = set()
    while len(paths) < MIN_PATHS + 500:
        folder = "/".join(
            chooser.choice(["data", "raw", "a.b", "x", "img", f"c{chooser.randrange(9)}"])
            for _ in range(chooser.randint(0, 3))
        )
        suffixes = chooser.choice(
            [[".png"], [".png", ".npy"], [f".{t}" for t in TYPES], [".tar.gz"], ["", ".py"]]
        )
        stems = chooser.choice([["img"], ["Cat", "s.v2"], ["img", "README"]])  # one scheme per folder
        classes = chooser.choice([1, 1, 12])  # or a dataset of small class folders
        for n in range(chooser.choice([1, 30, 50, 250, 900])):
            below = f"k{n % classes}/" if classes > 1 else ""
            name = below + chooser.choice(stems) + f"_{n}" + chooser.choice(suffixes)
            paths.add(f"{folder}/{name}" if folder else name)
    listing = Listing(sorted(paths))
    for run in listing.runs:
        members = listing.paths[run.first : run.last + 1]
        for path in members:
            assert_in_run(path, run)
        assert run.dotless == any("." not in path.removeprefix(run.folder) for path in members), run.folder
    for _ in range(60):
        path = chooser.choice(listing.paths)
        start = chooser.randrange(len(path))
        needle = path[start : chooser.randrange(start + 1, len(path) + 1)]
        assert listing.containing(needle) == [p for p in listing.paths if needle in p], needle
        tail = path[start:]
        assert listing.containing(tail + END) == [p for p in listing.paths if p.endswith(tail)], tail


def test_a_folder_below_a_run_that_is_not_flat_is_found_by_its_markers() -> None:
    paths = [f"data/c{n // 40:03d}/{n:05d}.png" for n in range(2_400)] + ["data/c020/node_modules/x.js"]
    listing = Listing(sorted(paths))
    assert any(not run.flat for run in listing.runs)
    assert listing.any_folder(lambda path: "node_modules/" in path, ["node_modules/", ".git/"])
    assert not Listing(sorted(paths[:-1])).any_folder(lambda path: "node_modules/" in path, ["node_modules/"])


@pytest.mark.parametrize(
    "names",
    [
        ("img.png", "data.tar.gz", "meta.json"),  # per-sample folders with a two-dot name
        ("f.a", "f.b", "f.c", "f.d", "f.e", "f.f"),  # per-sample folders of too many types
    ],
)
def test_small_folders_that_are_no_run_cost_a_check_per_stride_not_per_folder(
    names: tuple[str, ...], monkeypatch: pytest.MonkeyPatch
) -> None:
    checks = []
    original = _RunFinder.run_at
    monkeypatch.setattr(
        _RunFinder, "run_at", lambda self, *args, **kw: checks.append(1) or original(self, *args, **kw)
    )
    paths = sorted(f"d/s{n:05d}/{name}" for n in range(6_000) for name in names)
    assert Listing(paths).runs == []
    assert len(checks) <= 2 * len(paths) / STRIDE  # not one per folder (6,000)


def test_a_sigma_in_a_suffix_lowercases_by_its_stem_so_that_run_is_scanned() -> None:
    paths = [f"d/{n:05d}a.Σ" for n in range(1_000)] + [f"d/{n:05d}b.Σ" for n in range(1_000, 2_000)]
    paths += [f"e/{n:05d}.Σ" for n in range(2_000)]  # after a digit: a medial sigma
    lowercase = Listing(sorted(paths)).lowercase()
    assert lowercase is not None
    for needle in (".ς", ".σ", "a.ς", "0.σ"):
        assert lowercase.containing(needle) == [p for p in sorted(paths) if needle in p.lower()], needle


def test_run_search_work_grows_with_the_listing_when_types_change_every_run(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    checked = []
    original = _RunFinder.uniform

    def counting(self: _RunFinder, first: int, last: int, shape: tuple[str, tuple[str, ...], bool]) -> bool:
        checked.append(last - first + 1)
        return original(self, first, last, shape)

    monkeypatch.setattr(_RunFinder, "uniform", counting)
    pairs = (("png", "npy"), ("png", "wav"))
    paths = sorted(f"d/s{s:04d}_{i:03d}.{pairs[s % 2][i % 2]}" for s in range(60) for i in range(201))
    assert len(Listing(paths).runs) == 60
    assert sum(checked) <= 4 * len(paths)  # not the rest of the folder again for each run


def test_the_empty_needle_is_in_every_path_and_odd_paths_do_not_break_the_run_search() -> None:
    assert Listing(["a.py", "b.py"]).containing("") == ["a.py", "b.py"]
    assert Listing(["xa", "by"]).containing("a\x00b") == []  # not across two paths
    paths = sorted(["/x/f.png", "/y/f.png"] + [f"a/{i:05d}.png" for i in range(1_998)])
    assert Listing(paths).containing(".png") == paths


def test_a_marker_across_the_folder_of_a_run_that_is_not_flat_is_found() -> None:
    paths = sorted(f"a.b/c{n // 40:03d}/{n:05d}.png" for n in range(2_400))
    listing = Listing(paths)
    assert [run.flat for run in listing.runs] == [False]
    assert listing.any_folder(lambda folder: folder.startswith("a.b/c01"), ["a.b/c01"])


def test_names_without_a_dot_may_share_a_run_but_then_no_suffix_is_in_all_of_it() -> None:
    deep = sorted(f"d/s{n:05d}/{name}" for n in range(1_500) for name in ("img.png", "mask"))
    flat = sorted(f"f/{n:05d}{('.png', '_mask')[n % 2]}" for n in range(2_000))
    for paths, flat_run in ((deep, False), (flat, True)):
        listing = Listing(paths)
        assert [(run.flat, run.dotless, run.last - run.first + 1) for run in listing.runs] == [
            (flat_run, True, len(paths))
        ]
        assert listing.verdicts(".png") == [Verdict.SCAN] and listing.verdicts(".py") == [Verdict.NONE]
        for needle in (".png", ".pn", "mask", "/mask", "s00001/", ".js", "g.p", "1_mask"):
            assert listing.containing(needle) == [p for p in paths if needle in p], needle


def test_search_cost_counts_scanned_run_paths_and_ten_per_path_of_a_run_it_is_in_whole() -> None:
    texts = Listing(sorted([f"data/text/{n:05d}.txt" for n in range(2_500)] + ["requirements.txt"]))
    images = Listing(sorted([f"data/img/{n:05d}.png" for n in range(2_500)] + ["requirements.txt"]))
    assert texts.search_cost(".txt") == 25_000 > texts.search_cost("requirements") == 2_500
    assert images.search_cost(".txt") == 0 < images.search_cost("requirements") == 2_500
    assert Listing(["a.txt", "requirements.txt"]).search_cost(".txt") == 0  # no runs


def test_adjacent_runs_of_one_shape_are_searched_as_one_span_with_the_same_answers() -> None:
    """Folders of one type next to each other (`data/raw/000/` to `data/raw/011/`) form one span, judged
    once per needle; a needle in some of their folders, or naming a folder some of them end with, is judged
    run by run. Every answer is a plain scan's, and every run's verdict its own."""
    paths = sorted(
        [f"data/raw/{f:03d}/img_{n:04d}.png" for f in range(12) for n in range(250)]
        + [f"data/raw/{f:03d}/mask_{n:04d}.npy" for f in range(12, 14) for n in range(250)]
        + ["src/app.py", "data/raw/readme.md", "Dockerfile", "configs/raw/003/x.yaml"]
    )
    listing = Listing(paths)
    spans = [len(span.runs) for span in listing._spans]
    assert spans == [12, 2] and len(listing.runs) == 14
    needles = [
        ".png",
        ".npy",
        "png",
        "raw/",
        "raw/003/",
        "003/img",
        "/img_0001.png",
        "img_0001",
        "x.yaml",
        ".py",
    ]
    needles += ["Dockerfile", "raw/012/", "013/", "img", "data/raw/00", "/", ".", "configs/"]
    for needle in needles:
        assert listing.containing(needle) == [p for p in paths if needle in p], needle
        assert listing.containing(needle + END) == [p for p in paths if p.endswith(needle)], needle
        for asked in (needle, needle + END):
            assert listing.verdicts(asked) == [run.verdict(asked) for run in listing.runs], asked
            cost = sum(
                (run.last - run.first + 1) * (10 if verdict is Verdict.ALL else 1)
                for run in listing.runs
                if (verdict := run.verdict(asked)) is not Verdict.NONE
            )
            assert listing.search_cost(asked) == cost, asked
    assert len(listing.judged(".npy")) == 2  # one verdict per span
    assert len(listing.judged("raw/003/")) == 12 + 1  # the span holding that folder run by run
