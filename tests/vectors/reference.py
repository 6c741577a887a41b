#!/usr/bin/env python3
"""An independent reference implementation of aisle's assignment (docs/ab-testing.md), used to
write tests/vectors/assignment.json. It checks itself against GrowthBook's published cases
first, then computes the expected values of aisle's own cases. Run from the repo root:

    python3 tests/vectors/reference.py > tests/vectors/assignment.json

The Rust tests (tests/assignment_vectors.rs) and the browser tests read the JSON, never this.
"""
import json
import sys


def fnv1a32(text):
    h = 0x811C9DC5
    data = text.encode("utf-16-le")
    for i in range(0, len(data), 2):
        h ^= data[i] | (data[i + 1] << 8)
        h = (h * 0x01000193) & 0xFFFFFFFF
    return h


def hash_(seed, value, version):
    if version == 1:
        return (fnv1a32(value + seed) % 1000) / 1000
    if version == 2:
        return (fnv1a32(str(fnv1a32(seed + value))) % 10000) / 10000
    return None


def bucket_ranges(n, coverage, weights):
    coverage = min(max(coverage, 0.0), 1.0)
    equal = [1 / n] * n if n > 0 else []
    if weights is None or len(weights) != n or abs(sum(weights) - 1) > 0.01:
        weights = equal
    out, cumulative = [], 0.0
    for w in weights:
        start = cumulative
        cumulative += w
        out.append([start, start + coverage * w])
    return out


def choose_arm(n, ranges):
    for i, (start, end) in enumerate(ranges):
        if start <= n < end:
            return i
    return None


def in_namespace(visitor, ns, start, end):
    n = hash_("__" + ns, visitor, 1)
    return start <= n < end


def assign(exp, visitor):
    def outside(reason, bucket=None):
        return {"experiment": exp["key"], "arm_index": None, "arm_key": None, "personalized": exp.get("personalize_outside", False),
                "bucket": bucket, "reason": reason, "track": False}
    if visitor == "":
        return outside("no_visitor")
    arms = exp["arms"]
    if len(arms) < 2:
        return outside("too_few_arms")
    ns = exp.get("namespace")
    if ns and not in_namespace(visitor, ns["id"], ns["start"], ns["end"]):
        return outside("outside_namespace")
    n = hash_(exp.get("seed") or exp["key"], visitor, exp.get("hash_version", 2))
    if n is None:
        return outside("unknown_hash_version")
    ranges = bucket_ranges(len(arms), exp.get("coverage", 1.0), [a["weight"] for a in arms])
    i = choose_arm(n, ranges)
    if i is None:
        return outside("outside_coverage", n)
    return {"experiment": exp["key"], "arm_index": i, "arm_key": arms[i]["key"], "personalized": arms[i].get("personalized", False),
            "bucket": n, "reason": "hashed", "track": True}


# GrowthBook's published cases (packages/sdk-js/test/cases.json, MIT licence, GrowthBook, Inc.),
# in their own positional form: [seed, value, version, expected] and so on.
GB_HASH = [["", "a", 1, 0.22], ["", "b", 1, 0.077], ["b", "a", 1, 0.946], ["ef", "d", 1, 0.652],
           ["asdf", "8952klfjas09ujk", 1, 0.549], ["", "123", 1, 0.011], ["", '___)((*":&', 1, 0.563],
           ["seed", "a", 2, 0.0505], ["seed", "b", 2, 0.2696], ["foo", "ab", 2, 0.2575],
           ["foo", "def", 2, 0.2019], ["89123klj", "8952klfjas09ujkasdf", 2, 0.124],
           ["90850943850283058242805", "123", 2, 0.7516], ["()**(%$##$%#$#", '___)((*":&', 2, 0.0128],
           ["abc", "def", 99, None]]
GB_RANGES = [["normal 50/50", [2, 1, None], [[0, 0.5], [0.5, 1]]],
             ["reduced coverage", [2, 0.5, None], [[0, 0.25], [0.5, 0.75]]],
             ["zero coverage", [2, 0, None], [[0, 0], [0.5, 0.5]]],
             ["4 variations", [4, 1, None], [[0, 0.25], [0.25, 0.5], [0.5, 0.75], [0.75, 1]]],
             ["uneven weights", [2, 1, [0.4, 0.6]], [[0, 0.4], [0.4, 1]]],
             ["uneven weights, 3 variations", [3, 1, [0.2, 0.3, 0.5]], [[0, 0.2], [0.2, 0.5], [0.5, 1]]],
             ["uneven weights, reduced coverage, 3 variations", [3, 0.2, [0.2, 0.3, 0.5]], [[0, 0.04], [0.2, 0.26], [0.5, 0.6]]],
             ["negative coverage", [2, -0.2, None], [[0, 0], [0.5, 0.5]]],
             ["coverage above 1", [2, 1.5, None], [[0, 0.5], [0.5, 1]]],
             ["weights sum below 1", [2, 1, [0.4, 0.1]], [[0, 0.5], [0.5, 1]]],
             ["weights sum above 1", [2, 1, [0.7, 0.6]], [[0, 0.5], [0.5, 1]]],
             ["weights.length not equal to num variations", [4, 1, [0.4, 0.4, 0.2]], [[0, 0.25], [0.25, 0.5], [0.5, 0.75], [0.75, 1]]],
             ["weights sum almost equals 1", [2, 1, [0.4, 0.5999]], [[0, 0.4], [0.4, 0.9999]]]]
GB_CHOOSE = [["even range, 0.2", 0.2, [[0, 0.5], [0.5, 1]], 0], ["even range, 0.4", 0.4, [[0, 0.5], [0.5, 1]], 0],
             ["even range, 0.6", 0.6, [[0, 0.5], [0.5, 1]], 1], ["even range, 0.8", 0.8, [[0, 0.5], [0.5, 1]], 1],
             ["even range, 0", 0, [[0, 0.5], [0.5, 1]], 0], ["even range, 0.5", 0.5, [[0, 0.5], [0.5, 1]], 1],
             ["reduced range, 0.2", 0.2, [[0, 0.25], [0.5, 0.75]], 0], ["reduced range, 0.4", 0.4, [[0, 0.25], [0.5, 0.75]], -1],
             ["reduced range, 0.6", 0.6, [[0, 0.25], [0.5, 0.75]], 1], ["reduced range, 0.8", 0.8, [[0, 0.25], [0.5, 0.75]], -1],
             ["reduced range, 0.25", 0.25, [[0, 0.25], [0.5, 0.75]], -1], ["reduced range, 0.5", 0.5, [[0, 0.25], [0.5, 0.75]], 1],
             ["zero range", 0.5, [[0, 0.5], [0.5, 0.5], [0.5, 1]], 2]]
GB_NAMESPACE = [["1", "namespace1", 0, 0.4, False], ["1", "namespace1", 0.4, 1, True], ["1", "namespace2", 0, 0.4, False],
                ["1", "namespace2", 0.4, 1, True], ["2", "namespace1", 0, 0.4, False], ["2", "namespace1", 0.4, 1, True],
                ["2", "namespace2", 0, 0.4, False], ["2", "namespace2", 0.4, 1, True], ["3", "namespace1", 0, 0.4, False],
                ["3", "namespace1", 0.4, 1, True], ["3", "namespace2", 0, 0.4, True], ["3", "namespace2", 0.4, 1, False],
                ["4", "namespace1", 0, 0.4, False], ["4", "namespace1", 0.4, 1, True], ["4", "namespace2", 0, 0.4, True],
                ["4", "namespace2", 0.4, 1, False]]
# GrowthBook "run" cases: [name, id, experiment, expected variation or None when not in experiment].
# GrowthBook's run defaults to hash version 1 with the key as seed and equal weights.
GB_RUN = []
for i, v in enumerate([1, 0, 0, 1, 1, 1, 0, 1, 0], 1):
    GB_RUN.append([f"default weights - {i}", str(i), {"key": "my-test", "hash_version": 1, "weights": [0.5, 0.5]}, v])
for i, v in enumerate([1, 1, 0, 1, 1, 1, 0, 1, 1], 1):
    GB_RUN.append([f"uneven weights - {i}", str(i), {"key": "my-test", "hash_version": 1, "weights": [0.1, 0.9]}, v])
for i, v in enumerate([None, 0, 0, None, 1, None, 0, 1, None], 1):
    GB_RUN.append([f"coverage - {i}", str(i), {"key": "my-test", "hash_version": 1, "weights": [0.5, 0.5], "coverage": 0.4}, v])
for i, v in enumerate([2, 0, 0, 2, 1, 2, 0, 1, 0], 1):
    GB_RUN.append([f"three way test - {i}", str(i), {"key": "my-test", "hash_version": 1, "weights": [1 / 3] * 3}, v])
GB_RUN += [
    ["test name - my-test-3", "1", {"key": "my-test-3", "hash_version": 1, "weights": [0.5, 0.5]}, 0],
    ["empty id", "", {"key": "my-test", "hash_version": 1, "weights": [0.5, 0.5]}, None],
    ["single variation", "1", {"key": "my-test", "hash_version": 1, "weights": [1.0]}, None],
    ["Experiment namespace - pass", "1", {"key": "my-test", "hash_version": 1, "weights": [0.5, 0.5], "namespace": ["namespace", 0.1, 1]}, 1],
    ["Experiment namespace - fail", "1", {"key": "my-test", "hash_version": 1, "weights": [0.5, 0.5], "namespace": ["namespace", 0, 0.1]}, None],
    ["Uses seed with default weights/coverage", "1", {"key": "key", "seed": "foo", "hash_version": 2, "weights": [0.5, 0.5]}, 1],
    ["Uses seed with weights/coverage", "1", {"key": "key", "seed": "foo", "hash_version": 2, "weights": [0.5, 0.5], "coverage": 0.99}, 1],
]


def experiment_from_gb(spec):
    exp = {"key": spec["key"], "hash_version": spec["hash_version"],
           "arms": [{"key": str(i), "weight": w, "personalized": i > 0} for i, w in enumerate(spec["weights"])]}
    for field in ("seed", "coverage"):
        if field in spec:
            exp[field] = spec[field]
    if "namespace" in spec:
        ns = spec["namespace"]
        exp["namespace"] = {"id": ns[0], "start": ns[1], "end": ns[2]}
    return exp


def default_experiment(**changes):
    exp = {"key": "aisle-rerank", "seed": None, "hash_version": 2, "coverage": 1.0,
           "arms": [{"key": "holdout", "weight": 0.5, "personalized": False},
                    {"key": "personalized", "weight": 0.5, "personalized": True}],
           "namespace": None, "personalize_outside": False}
    exp.update(changes)
    return exp


def self_check():
    for seed, value, version, expected in GB_HASH:
        assert hash_(seed, value, version) == expected, (seed, value, version)
    for name, (n, coverage, weights), expected in GB_RANGES:
        got = bucket_ranges(n, coverage, weights)
        assert all(abs(a - b) < 1e-9 for g, e in zip(got, expected) for a, b in zip(g, e)), name
    for name, n, ranges, expected in GB_CHOOSE:
        assert choose_arm(n, ranges) == (None if expected == -1 else expected), name
    for visitor, ns, start, end, expected in GB_NAMESPACE:
        assert in_namespace(visitor, ns, start, end) == expected
    for name, visitor, spec, expected in GB_RUN:
        assert assign(experiment_from_gb(spec), visitor)["arm_index"] == expected, name


def main():
    self_check()
    gb = "growthbook cases.json"
    out = {
        "about": "Assignment test vectors for aisle (docs/ab-testing.md). Cases whose source is "
                 "'growthbook cases.json' come from GrowthBook's SDK test suite "
                 "(packages/sdk-js/test/cases.json, MIT licence, Copyright GrowthBook, Inc.); the others "
                 "were computed by tests/vectors/reference.py, an implementation independent of the Rust one. "
                 "Every float is compared exactly except bucket_ranges (within 1e-9).",
        "version": 1,
        "fnv1a32": [],
        "hash": [],
        "bucket_ranges": [],
        "choose_arm": [],
        "in_namespace": [],
        "assign": [],
        "parse_override": [],
        "decide": [],
    }
    for text, name in [("", "empty"), ("a", "FNV reference"), ("foobar", "FNV reference"),
                       ("é", "one BMP code unit above 0xFF"), ("日本", "CJK"),
                       ("🛒", "astral: two UTF-16 surrogates, not four UTF-8 bytes"),
                       ("aisle-rerankvisitor-1", "seed + id")]:
        out["fnv1a32"].append({"name": name, "input": text, "expected": fnv1a32(text)})
    for seed, value, version, expected in GB_HASH:
        out["hash"].append({"name": f"{gb} v{version}", "source": gb, "seed": seed, "value": value,
                            "version": version, "expected": expected})
    for seed, value, version, name in [
        ("aisle-rerank", "é", 2, "non-ASCII id"), ("aisle-rerank", "Ωmega", 2, "Greek"),
        ("aisle-rerank", "日本語のお客様", 2, "CJK id"), ("aisle-rerank", "🛒cart", 2, "astral id"),
        ("séed-ü", "visitor-🙂", 2, "non-ASCII seed and id"), ("", "🛒", 1, "astral, v1"),
        ("__grid", "visitor-1", 1, "namespace seed form"),
        ("aisle-rerank", "3f0c2a9e-6b1d-4c7e-9a53-2d8e1f4b7c60", 2, "uuid id"),
    ]:
        out["hash"].append({"name": name, "source": "aisle", "seed": seed, "value": value, "version": version,
                            "expected": hash_(seed, value, version)})
    for name, (n, coverage, weights), expected in GB_RANGES:
        out["bucket_ranges"].append({"name": name, "source": gb, "arm_count": n, "coverage": coverage,
                                     "weights": weights, "expected": expected})
    for name, coverage, weights in [("5% holdout", 1.0, [0.05, 0.95]), ("10% holdout at 40% coverage", 0.4, [0.1, 0.9])]:
        out["bucket_ranges"].append({"name": name, "source": "aisle", "arm_count": len(weights), "coverage": coverage,
                                     "weights": weights, "expected": bucket_ranges(len(weights), coverage, weights)})
    for name, n, ranges, expected in GB_CHOOSE:
        out["choose_arm"].append({"name": name, "source": gb, "n": n, "ranges": ranges,
                                  "expected": None if expected == -1 else expected})
    for visitor, ns, start, end, expected in GB_NAMESPACE:
        out["in_namespace"].append({"name": f"user {visitor}, {ns}, [{start}, {end})", "source": gb,
                                    "visitor": visitor, "namespace": ns, "start": start, "end": end,
                                    "expected": expected})
    for name, visitor, spec, _ in GB_RUN:
        exp = experiment_from_gb(spec)
        out["assign"].append({"name": name, "source": gb, "experiment": exp, "visitor": visitor,
                              "expected": assign(exp, visitor)})
    ids = ["1", "2", "visitor-1", "visitor-2", "é", "日本語のお客様", "🛒cart",
           "3f0c2a9e-6b1d-4c7e-9a53-2d8e1f4b7c60", "9b2e7d41-0a6c-4f3e-8d15-7c4a2b9e6f08", ""]
    experiments = [
        ("default", default_experiment()),
        ("5% holdout", default_experiment(arms=[{"key": "holdout", "weight": 0.05, "personalized": False},
                                                {"key": "personalized", "weight": 0.95, "personalized": True}])),
        ("half coverage", default_experiment(coverage=0.5)),
        ("half coverage, personalize outside", default_experiment(coverage=0.5, personalize_outside=True)),
        ("own seed", default_experiment(seed="spring-2026")),
        ("hash version 1", default_experiment(hash_version=1)),
        ("namespace [0, 0.5)", default_experiment(namespace={"id": "grid", "start": 0.0, "end": 0.5})),
        ("three arms", default_experiment(arms=[{"key": "holdout", "weight": 0.2, "personalized": False},
                                                {"key": "personalized", "weight": 0.4, "personalized": True},
                                                {"key": "personalized-b", "weight": 0.4, "personalized": True}])),
        ("unknown hash version", default_experiment(hash_version=3)),
        ("one arm", default_experiment(arms=[{"key": "holdout", "weight": 1.0, "personalized": False}])),
    ]
    for exp_name, exp in experiments:
        for visitor in ids:
            out["assign"].append({"name": f"{exp_name}, visitor {visitor!r}", "source": "aisle", "experiment": exp,
                                  "visitor": visitor, "expected": assign(exp, visitor)})
    for value, expected in [
        ("aisle-rerank:holdout", [{"experiment": "aisle-rerank", "arm": "holdout"}]),
        ("personalized", [{"experiment": None, "arm": "personalized"}]),
        (" a:x , b:y ", [{"experiment": "a", "arm": "x"}, {"experiment": "b", "arm": "y"}]),
        ("ns:exp:arm", [{"experiment": "ns:exp", "arm": "arm"}]),
        ("", None), ("   ", None), ("a:", None), (":x", None), ("a:x,,b:y", None),
    ]:
        out["parse_override"].append({"name": repr(value), "input": value, "expected": expected})
    first = default_experiment(key="first", namespace={"id": "grid", "start": 0.0, "end": 0.5})
    second = default_experiment(key="second", namespace={"id": "grid", "start": 0.5, "end": 1.0})

    def decide(exps, visitor, overrides, kill):
        if kill:
            return {"personalized": False, "event_arms": {},
                    "arm_keys": [None] * len(exps)}
        results = []
        for exp in exps:
            forced = None
            for o in overrides:
                if o["experiment"] in (None, exp["key"]):
                    keys = [a["key"] for a in exp["arms"]]
                    if o["arm"] in keys:
                        forced = keys.index(o["arm"])
                        break
            if forced is not None and len(exp["arms"]) >= 2:
                arm = exp["arms"][forced]
                results.append({"arm_key": arm["key"], "personalized": arm["personalized"], "track": False})
            else:
                a = assign(exp, visitor)
                results.append(a)
        enrolled = [r for r in results if r["arm_key"] is not None]
        personalized = enrolled[0]["personalized"] if enrolled else all(e.get("personalize_outside") for e in exps)
        return {"personalized": personalized,
                "event_arms": {e["key"]: r["arm_key"] for e, r in zip(exps, results) if r["track"]},
                "arm_keys": [r["arm_key"] for r in results]}

    for name, exps, visitor, overrides, kill in [
        ("default, visitor-1", [default_experiment()], "visitor-1", [], False),
        ("default, visitor-2", [default_experiment()], "visitor-2", [], False),
        ("kill switch", [default_experiment()], "visitor-1", [], True),
        ("kill switch beats an override", [default_experiment()], "visitor-1", [{"experiment": None, "arm": "personalized"}], True),
        ("override to holdout is not tracked", [default_experiment()], "visitor-2", [{"experiment": "aisle-rerank", "arm": "holdout"}], False),
        ("override to personalized is not tracked", [default_experiment()], "visitor-1", [{"experiment": None, "arm": "personalized"}], False),
        ("override of another experiment is ignored", [default_experiment()], "visitor-1", [{"experiment": "other", "arm": "holdout"}], False),
        ("no experiments: everybody personalized", [], "visitor-1", [], False),
        ("namespaced pair, 1", [first, second], "1", [], False),
        ("namespaced pair, 2", [first, second], "2", [], False),
        ("namespaced pair, 3", [first, second], "3", [], False),
        ("namespaced pair, 4", [first, second], "4", [], False),
        ("outside the only experiment", [default_experiment(coverage=0.0)], "visitor-1", [], False),
        ("outside, personalize_outside", [default_experiment(coverage=0.0, personalize_outside=True)], "visitor-1", [], False),
    ]:
        out["decide"].append({"name": name, "experiments": exps, "visitor": visitor, "overrides": overrides,
                              "kill_switch": kill, "expected": decide(exps, visitor, overrides, kill)})
    json.dump(out, sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
