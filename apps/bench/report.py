#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Combine svart-perf and svart-faultperf results into report.json, print the
summary with ratios against the targets, and draw the plots (gnuplot).

usage: report.py BENCH_DIR   (reads perf.json, faultperf.json, fault_cdf.dat)
"""
import datetime
import json
import os
import platform
import shutil
import subprocess
import sys


def machine():
    info = {"kernel": platform.release(), "cpus": os.cpu_count()}
    try:
        for line in open("/proc/cpuinfo", encoding="utf-8"):
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
        for line in open("/proc/meminfo", encoding="utf-8"):
            if line.startswith("MemTotal"):
                info["mem_kib"] = int(line.split()[1])
                break
    except OSError:
        pass
    return info


def find(results, op, size, burst, mode="dedicated"):
    for r in results:
        if r["op"] == op and r["size"] == size and r["burst"] == burst and r["mode"] == mode:
            return r
    return None


def ratio(a, b):
    return a / b if a and b else 0.0


def spread(xs):
    """median, min, max of a list (None when empty)."""
    xs = sorted(x for x in xs if x)
    if not xs:
        return None
    n = len(xs)
    med = xs[n // 2] if n % 2 else (xs[n // 2 - 1] + xs[n // 2]) / 2
    return {"median": med, "min": xs[0], "max": xs[-1], "rounds": n}


def ratio_spread(xs, ys):
    """The spread of x / y over two lists paired in order (rounds, slices)."""
    return spread([x / y for x, y in zip(xs or [], ys or []) if x and y])


def round_ratios(r, key_a, key_b):
    """Per-round ratios of two interleaved targets (rounds paired in order)."""
    return ratio_spread(r.get(key_a), r.get(key_b))


# A placement is near or far when the round trips before and after the round agree.
PLACEMENTS = ("near", "far")
NEAR_RTT_NS = 200   # svart-perf's threshold (apps/svart-perf/placement.c)
# Issue targets (same run, medians over rounds): submission per placement, the
# whole op with a fault against its limit.
T_SKEL_B32 = 2.5
T_RING_B32 = 0.6
T_FAULT_OP_P50 = 1.5
T_FAULT_OP_P99 = 3.0
T_PMD_B32 = 2.0
T_PRI_P50 = 1.1
T_UFFD = 8.0
# Streaming 64 KiB copies into fresh memory, default config: against the CPU's
# own first-touch copy, the batched-populate limit (64 pages a call), and
# fault-around on / off (never slower).
T_STREAM_CPU = 4.0
T_STREAM_BATCH = 0.5
T_STREAM_AROUND = 1.0


def by_placement(r):
    """For each placement seen: the per-round ratios of the 64 B case r (svart /
    dma_skeleton, svart / ring limit) and its rates, rounds paired in order."""
    pl = r.get("placement_rounds") or []
    sv = r.get("mops_rounds") or []
    sk = r.get("skeleton_mops_rounds") or []
    rg = r.get("ring_limit_mops_rounds") or []
    rtt = r.get("rtt_ns_rounds") or []
    out = {}
    for k, where in enumerate(pl):
        if where not in PLACEMENTS:
            continue
        o = out.setdefault(where, {"rounds": [], "svart": [], "skel": [], "ring": [], "rtt": [],
                                   "x_skel": [], "x_ring": []})
        o["rounds"].append(k)
        at = lambda a: a[k] if k < len(a) and a[k] else None  # noqa: E731
        s, p, g = at(sv), at(sk), at(rg)
        o["svart"].append(s)
        o["skel"].append(p)
        o["ring"].append(g)
        o.setdefault("rtt_at", set()).update(j for j in (k, k + 1) if j < len(rtt) and rtt[j])
        if s and p:
            o["x_skel"].append(s / p)
        if s and g:
            o["x_ring"].append(s / g)
    for o in out.values():
        o["rtt"] = [rtt[j] for j in sorted(o.pop("rtt_at", ()))]
        for key in ("svart", "skel", "ring", "rtt", "x_skel", "x_ring"):
            o[key] = spread(o[key])
    return out


def stream_figures(sf):
    """The streaming figures (GB/s, medians over rounds) and, per peer, the
    per-round ratios of svart's default config to it; older faultperf.json
    files (no rounds, no populate limit) give nulls where a figure is missing."""
    rounds = sf.get("rounds") or {}
    out = {"svart": sf.get("svart_default", sf.get("svart_block_fault_around")),
           "svart_no_fault_around": sf.get("svart_no_fault_around", sf.get("svart_block")),
           "svart_resume": sf.get("svart_resume"), "cpu": sf.get("cpu"),
           "populate_batch64": sf.get("populate_batch64"), "svart_present_memory": sf.get("svart_warm"),
           "fault_around_max": sf.get("fault_around_max"), "rounds": rounds, "round_ratios": {}}
    mine = rounds.get("svart_default") or []
    for peer in ("cpu", "populate_batch64", "svart_no_fault_around"):
        out["round_ratios"][peer] = ratio_spread(mine, rounds.get(peer))
    return out


def biggest_stages(stages, key, n=3):
    """The n stages with the largest figure (p50 or p99), as text."""
    if not stages:
        return "no stage breakdown (the device keeps no fault trace)"
    st = sorted(((v.get(key) or 0, k, v.get("whose", "")) for k, v in stages.items() if k != "total"),
                reverse=True)[:n]
    return ", ".join(f"{k} {v / 1e3:.2f} us ({w})" for v, k, w in st)


def stream_bound(sf):
    """The best default / CPU ratio the kernel allows: batched populate / CPU, per round median."""
    r = sf.get("rounds") or {}
    sp = ratio_spread(r.get("populate_batch64"), r.get("cpu"))
    return sp["median"] if sp else ratio(sf.get("populate_batch64"), sf.get("cpu"))


def pri_bound(stages, key, madv, pp):
    """What the page-request round trip spends beyond populate + ping-pong, stage by stage."""
    hand = [k for k in ("service_read", "respond", "device_sees_response") if k in stages]
    if "populate" not in stages or not hand:
        return "no stage breakdown"
    return (f"the resolution stage (one MADV_POPULATE_WRITE on the fault service's core, between the "
            f"engine's polls) takes {stages['populate'][key] / 1e3:.2f} us against {madv / 1e3:.2f} us "
            f"back to back in the limit; the hand-offs "
            + " + ".join(f"{k} {stages[k][key]} ns" for k in hand) + f" against one ping-pong of {pp} ns")


def print_bounds(rows):
    """For each missed or unmeasured target: the best this machine allows, measured."""
    out = [(n, m, b) for n, _, _, _, _, m, _, b in rows if m in ("MISSED", "not measured") and b]
    if not out:
        return
    print("\nwhat bounds the missed targets on this machine (measured in this run):")
    for name, m, (b, why) in out:
        print(f"  {name}: {m}; " + (f"at best {b:.2f}: " if b else "") + why)


def versions(bench_dir):
    v = {"python": platform.python_version()}
    try:
        info = os.path.join(bench_dir, "..", "meson-info", "intro-projectinfo.json")
        v["svart"] = json.load(open(info, encoding="utf-8")).get("version")
    except (OSError, ValueError):
        v["svart"] = None
    for pkg in ("libdpdk",):
        try:
            v[pkg] = subprocess.run(["pkg-config", "--modversion", pkg], capture_output=True,
                                    text=True, check=True).stdout.strip()
        except (OSError, subprocess.CalledProcessError):
            v[pkg] = None
    return v


def main():
    d = sys.argv[1] if len(sys.argv) > 1 else "build/bench"
    perf = json.load(open(os.path.join(d, "perf.json"), encoding="utf-8"))
    fault = json.load(open(os.path.join(d, "faultperf.json"), encoding="utf-8"))
    res = perf["results"]
    sub = {}
    c64_32 = find(res, "copy", 64, 32)
    c64_1 = find(res, "copy", 64, 1)
    c4k = find(res, "copy", 4096, 32)
    c1m = find(res, "copy", 1 << 20, 32) or find(res, "copy", 1 << 20, 1)
    placed = by_placement(c64_32) if c64_32 else {}
    if c64_32:
        sub["copy_64B_burst32"] = {"svart_mops": c64_32["mops"], "skeleton_mops": c64_32["skeleton_mops"],
                                   "ring_limit_mops": c64_32["ring_limit_mops"],
                                   "rte_dma_mops": c64_32.get("rte_dma_mops"),
                                   "placement_rounds": c64_32.get("placement_rounds"),
                                   "rtt_ns_rounds": c64_32.get("rtt_ns_rounds"),
                                   "by_placement": {
                                       w: {"rounds": o["rounds"], "svart_mops": o["svart"],
                                           "skeleton_mops": o["skel"], "ring_limit_mops": o["ring"],
                                           "rtt_ns": o["rtt"], "ratio_vs_skeleton": o["x_skel"],
                                           "ratio_vs_ring_limit": o["x_ring"]}
                                       for w, o in placed.items()}}
    if c64_1:
        sub["copy_64B_burst1"] = {"svart_mops": c64_1["mops"], "skeleton_mops": c64_1["skeleton_mops"]}
    if c4k:
        sub["copy_4KiB_burst32"] = {"svart_gbps": c4k["gbps"], "skeleton_gbps": c4k["skeleton_gbps"]}
    if c1m:
        sub["copy_1MiB"] = {"svart_gbps": c1m["gbps"], "memcpy_gbps": c1m["memcpy_gbps"]}
    lat = fault["latency_ns"]
    faults = {
        "pri_roundtrip_ns": {k: lat["pri_roundtrip"][k] for k in ("p50", "p90", "p99", "p999", "max")},
        "op_with_fault_ns": lat["op_with_fault"],
        "op_without_fault_ns": lat["op_without_fault"],
        "cpu_first_touch_ns": {"p50": lat["cpu_first_touch"]["p50"]},
        "madv_populate_1page_ns": {"p50": lat["madv_populate_1page"]["p50"]},
        "pingpong_rtt_ns": {"p50": lat["pingpong_rtt"]["p50"]},
        "stream_fresh_gbps": stream_figures(fault["stream_fresh_gbps"]),
    }
    if "uffd_roundtrip" in lat:
        faults["uffd_roundtrip_ns"] = {"p50": lat["uffd_roundtrip"]["p50"], "p99": lat["uffd_roundtrip"]["p99"]}
    limit = lat["madv_populate_1page"]["p50"] + lat["pingpong_rtt"]["p50"]
    rows = []
    figures = []

    def row(name, value, peer, r, target, higher=True, rounds=None, bound=None):
        # r None (or 0): not measured in this run; the row stays, with nulls.
        # target None: a figure without a target here (shown, not counted).
        # bound: (best ratio this machine allows, why), measured in this run.
        if target is None:
            met, tgt, res = None, "-", "info" if r else "not measured"
        else:
            met = None if not r else (r >= target) if higher else (r <= target)
            tgt = ("≥ " if higher else "≤ ") + f"{target:g}"
            res = "not measured" if met is None else "met" if met else "MISSED"
        rows.append((name, value or 0.0, peer or 0.0, r or 0.0, tgt, res, rounds, bound))
        figures.append({"figure": name, "svart": value or None, "peer_or_limit": peer or None,
                        "ratio": r or None, "ratio_spread": rounds, "target": None if target is None else tgt,
                        "met": met, "bound": {"ratio": bound[0], "why": bound[1]} if bound else None})

    if c64_32 and placed:
        # Per placement: medians over that placement's rounds, never a mixed median.
        for w in PLACEMENTS:
            o = placed.get(w)
            if not o:
                if w == "far":  # the rows are for the far placement
                    why = (0, "the host placed every round near (cross-core"
                              + (f", round trip {placed['near']['rtt']['median']:.0f} ns" if placed.get("near")
                                 and placed["near"]["rtt"] else "") + "): no far round to measure")
                    row(f"64 B copy b32 vs dma_skeleton, {w} (Mops)", None, None, None, T_SKEL_B32, bound=why)
                    row(f"64 B copy b32 vs 64 B ring limit, {w} (Mops)", None, None, None, T_RING_B32,
                        bound=why)
                continue
            med = lambda sp: sp["median"] if sp else 0.0  # noqa: E731
            # The issue sets these two targets for the far placement; near rounds are shown.
            far = w == "far"
            row(f"64 B copy b32 vs dma_skeleton, {w} (Mops)", med(o["svart"]), med(o["skel"]),
                med(o["x_skel"]), T_SKEL_B32 if far else None, rounds=o["x_skel"])
            if o["x_ring"]:
                row(f"64 B copy b32 vs 64 B ring limit, {w} (Mops)", med(o["svart"]), med(o["ring"]),
                    med(o["x_ring"]), T_RING_B32 if far else None, rounds=o["x_ring"])
    elif c64_32:
        # An older perf.json without placements: all rounds together.
        row("64 B copy b32 vs dma_skeleton (Mops)", c64_32["mops"], c64_32["skeleton_mops"],
            ratio(c64_32["mops"], c64_32["skeleton_mops"]), T_SKEL_B32,
            rounds=round_ratios(c64_32, "mops_rounds", "skeleton_mops_rounds"))
        row("64 B copy b32 vs 64 B ring limit (Mops)", c64_32["mops"], c64_32["ring_limit_mops"],
            ratio(c64_32["mops"], c64_32["ring_limit_mops"]), T_RING_B32)
    if not c64_32:
        row("64 B copy b32 vs dma_skeleton, far (Mops)", None, None, None, T_SKEL_B32)
        row("64 B copy b32 vs 64 B ring limit, far (Mops)", None, None, None, T_RING_B32)
    if c64_32:
        if c64_32.get("rte_dma_mops"):
            # The cost of rte_dma over svart's own API: the same queue, both ways.
            row("64 B copy b32 through rte_dma / svart API (Mops)", c64_32["rte_dma_mops"],
                c64_32["mops"], ratio(c64_32["rte_dma_mops"], c64_32["mops"]), 0.9,
                rounds=round_ratios(c64_32, "rte_dma_mops_rounds", "mops_rounds"))
    if c64_1:
        row("64 B copy b1 vs dma_skeleton (Mops)", c64_1["mops"], c64_1["skeleton_mops"],
            ratio(c64_1["mops"], c64_1["skeleton_mops"]), 1.5,
            rounds=round_ratios(c64_1, "mops_rounds", "skeleton_mops_rounds"))
    if c4k:
        row("4 KiB copy b32 vs dma_skeleton (GB/s)", c4k["gbps"], c4k["skeleton_gbps"],
            ratio(c4k["gbps"], c4k["skeleton_gbps"]), 1.0,
            rounds=round_ratios(c4k, "mops_rounds", "skeleton_mops_rounds"))
    if c1m:
        row("1 MiB copy vs one-core memcpy (GB/s)", c1m["gbps"], c1m["memcpy_gbps"],
            ratio(c1m["gbps"], c1m["memcpy_gbps"]), 0.9)
    null_path = os.path.join(d, "perf_null.json")
    nres = json.load(open(null_path, encoding="utf-8"))["results"] if os.path.exists(null_path) else []
    # The PMD's own cost (a null device: the figure that carries over to a DSA).
    for burst, target in ((32, T_PMD_B32), (1, 4.0)):
        n = find(nres, "copy", 64, burst)
        if burst == 32 and not (n and n.get("desc_store_mops")):
            row(f"PMD cost 64 B b{burst}, null dev / store limit (ns)", None, None, None, target, False)
        if n and n.get("desc_store_mops"):
            # Cost per op = 1 / rate: the PMD's cost over the floor's.
            rs = round_ratios(n, "desc_store_mops_rounds", "mops_rounds")
            row(f"PMD cost 64 B b{burst}, null dev / store limit (ns)",
                1e3 / n["mops"], 1e3 / n["desc_store_mops"],
                rs["median"] if rs else ratio(n["desc_store_mops"], n["mops"]), target, False, rounds=rs)
            sub[f"pmd_cost_64B_burst{burst}_ns"] = {"null_device": 1e3 / n["mops"],
                                                   "desc_store_limit": 1e3 / n["desc_store_mops"]}
    fop = fault.get("fault_op")
    stages = fault.get("fault_stages") or {}
    # The fault figures' placement: the app core to the engine's, as svart-perf tells them apart.
    place = ("near" if lat["pingpong_rtt"]["p50"] < NEAR_RTT_NS else "far") + \
        f", round trip {lat['pingpong_rtt']['p50']} ns"
    faults["placement"] = place
    if fop:
        # The headline: the whole op with a fault against op without + populate + round trip.
        # Medians over the rounds and the full pass (all measured in this run):
        # one pass that a busy neighbour slowed shows in the spread, not as the figure.
        passes = [fop] + (fop.get("rounds") or [])
        for key, target in (("p50", T_FAULT_OP_P50), ("p99", T_FAULT_OP_P99)):
            sp = spread([x[f"ratio_{key}"] for x in passes])
            op = spread([x[f"op_with_fault_{key}_ns"] for x in passes])
            lim = spread([x["limit_ns"] for x in passes])
            walk = (stages.get("device_walk") or {}).get(key)
            # The emulator's page walk is the model's cost, not hardware's: the ratio without it.
            bound = (None, f"of the {op['median'] / 1e3:.2f} us, the emulated device's page walk (one "
                           f"/proc/self/pagemap read, a system call) takes {walk / 1e3:.2f} us; without it "
                           f"the op would be {(op['median'] - walk) / lim['median']:.2f}x its limit") if walk else None
            row(f"64 B op with a fault {key} vs its limit, {place} (us)", op["median"] / 1e3,
                lim["median"] / 1e3, sp["median"], target, False, rounds=sp if len(passes) > 1 else None,
                bound=bound)
        faults["fault_op"] = fop
    else:
        for key, target in (("p50", T_FAULT_OP_P50), ("p99", T_FAULT_OP_P99)):
            row(f"64 B op with a fault {key} vs its limit, {place} (us)", None, None, None, target, False)
    if stages:
        faults["fault_stages"] = stages
    pri = lat["pri_roundtrip"]
    # Per pass (the latency pass, then each headline round with its own populate figure).
    pp = lat["pingpong_rtt"]["p50"]
    pri_passes = [(pri["p50"], pri["p99"], lat["madv_populate_1page"]["p50"])] + [
        (x.get("pri_roundtrip_p50_ns"), x.get("pri_roundtrip_p99_ns"), x["madv_populate_1page_p50_ns"])
        for x in ((fop or {}).get("rounds") or []) if x.get("pri_roundtrip_p50_ns")]
    for i, (key, target) in enumerate((("p50", T_PRI_P50), ("p99", 4.0))):
        sp = spread([p[i] / (p[2] + pp) for p in pri_passes if p[i]])
        v = spread([p[i] for p in pri_passes])
        lim = spread([p[2] + pp for p in pri_passes])
        row(f"PRI round trip {key} vs populate+ping-pong, {place} (us)", v["median"] / 1e3 if v else None,
            lim["median"] / 1e3 if lim else None, sp["median"] if sp else None, target, False,
            rounds=sp if sp and sp["rounds"] > 1 else None,
            bound=(1.0, pri_bound(stages, key, lat["madv_populate_1page"]["p50"], pp)) if stages else None)
    uffd = lat.get("uffd_roundtrip") or {}
    u = uffd.get("p50")
    # Slices of the userfaultfd faults paired in order with the passes' round trips.
    us = ratio_spread(uffd.get("rounds_p50"), [p[0] for p in pri_passes])
    row("userfaultfd p50 / PRI p50 (us)", u / 1e3 if u else None, pri["p50"] / 1e3, ratio(u, pri["p50"]), T_UFFD,
        rounds=us, bound=(ratio(u, limit), f"svart's round trip includes populating the page and a cross-core "
                                           f"hand-off: it is at least {limit / 1e3:.2f} us (MADV_POPULATE_WRITE "
                                           f"p50 + ping-pong p50), so userfaultfd's {(u or 0) / 1e3:.2f} us "
                                           f"allows at most {ratio(u, limit):.2f}") if u else None)
    sf = faults["stream_fresh_gbps"]
    for name, peer, target in (("CPU first-touch copy", "cpu", T_STREAM_CPU),
                               ("batched populate (64 pages)", "populate_batch64", T_STREAM_BATCH),
                               ("fault-around off", "svart_no_fault_around", T_STREAM_AROUND)):
        rs = sf["round_ratios"].get(peer)
        bound = None
        if peer == "cpu" and sf.get("populate_batch64") and sf.get("cpu"):
            # Every fresh page must be made present; the kernel's cheapest way is populating in batches.
            b = stream_bound(sf)
            bound = (b, f"every fresh page must be made present, and the kernel's cheapest way "
                        f"(MADV_POPULATE_WRITE, 64 pages a call: {sf['populate_batch64']:.2f} GB/s) is only "
                        f"{b:.2f}x the CPU's first-touch copy ({sf['cpu']:.2f} GB/s), per round median")
        row(f"stream fresh, default / {name} (GB/s)", sf["svart"], sf.get(peer),
            rs["median"] if rs else ratio(sf["svart"], sf.get(peer)), target, rounds=rs, bound=bound)

    report = {"timestamp": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
              "machine": machine(), "versions": versions(d),
              "parameters": {"submission": {k: perf.get(k) for k in ("device", "driver", "depth", "duration_s",
                                                                      "rounds") if k in perf},
                             "faults": {k: v for k, v in fault.items()
                                        if k not in ("latency_ns", "stream_fresh_gbps", "placement", "fault_op",
                                                     "fault_stages")}},
              "placement": {"submission": perf["placement"], "faults": fault["placement"]},
              "figures": figures,
              "targets_met": sum(1 for f in figures if f["met"]), "targets": len(figures),
              "submission": sub, "submission_all": res, "faults": faults}
    json.dump(report, open(os.path.join(d, "report.json"), "w", encoding="utf-8"), indent=2)

    print()
    print(f"{'figure':70} {'svart':>10} {'peer/limit':>11} {'ratio':>7} {'rounds min..max':>16} {'target':>8}  result")
    for name, v, p, r, t, m, rd, _ in rows:
        sp = f"{rd['min']:.2f}..{rd['max']:.2f}" if rd else "-"
        if m == "not measured":
            print(f"{name:70} {'-':>10} {'-':>11} {'-':>7} {sp:>16} {t:>8}  {m}")
            continue
        print(f"{name:70} {v:10.3f} {p:11.3f} {r:7.2f} {sp:>16} {t:>8}  {m}")
    print(f"\nmet {sum(1 for x in rows if x[5] == 'met')} of {sum(1 for x in rows if x[4] != '-')} targets "
          f"({sum(1 for x in rows if x[5] == 'info')} rows without a target); "
          f"report: {os.path.join(d, 'report.json')}")
    print_bounds(rows)
    if placed:
        print("placement per round (64 B b32): " + ", ".join(
            f"{w}: rounds {o['rounds']}, round trip {o['rtt']['median']:.0f} ns" if o["rtt"] else w
            for w, o in placed.items()) + "; mixed rounds left out")
    print_stages(stages, fop, rows)
    plots(d, res, lat)


def print_stages(stages, fop, rows):
    """The fault path stage by stage, and which stages hold a missed headline target."""
    if stages:
        print("\nfault path by stage (64 B copy meeting one fresh page), ns:")
        print(f"  {'stage':24} {'whose':9} {'p50':>8} {'p99':>8}")
        for k, v in stages.items():
            print(f"  {k:24} {v.get('whose', ''):9} {v['p50']:8d} {v['p99']:8d}")
    for name, v, lim, _, _, m, _, _ in rows:
        if m != "MISSED" or not name.startswith("64 B op with a fault"):
            continue
        key = "p99" if " p99 " in name else "p50"
        print(f"  {name}: {v - lim:.2f} us over the limit; largest stages at {key}: "
              f"{biggest_stages(stages, key)}")
        if stages and fop:
            pop = stages["populate"][key]
            madv = fop["madv_populate_1page_p50_ns"]
            print(f"    resolution {pop / 1e3:.2f} us against one MADV_POPULATE_WRITE page "
                  f"{madv / 1e3:.2f} us back to back (p50)")


def plots(d, res, lat):
    if shutil.which("gnuplot") is None:
        print("gnuplot not found: no plots (apt-get install gnuplot-nox)")
        return
    def col(r, key):
        v = (r or {}).get(key)
        return v if v else "NaN"  # not measured: no point, never a 0

    with open(os.path.join(d, "throughput.dat"), "w", encoding="utf-8") as f:
        f.write("# size svart_b32_gbps skeleton_b32_gbps memcpy_gbps svart_b1_gbps svart_shared_b32_gbps\n")
        for size in sorted({r["size"] for r in res if r["op"] == "copy"}):
            b32 = find(res, "copy", size, 32)
            b1 = find(res, "copy", size, 1)
            sh = find(res, "copy", size, 32, "shared")
            f.write(f"{size} {col(b32, 'gbps')} {col(b32, 'skeleton_gbps')} {col(b32, 'memcpy_gbps')} "
                    f"{col(b1, 'gbps')} {col(sh, 'gbps')}\n")
    # Only the series this run measured (QUICK runs leave some out): gnuplot warns on empty ones.
    names = {2: "svart burst 32", 5: "svart burst 1", 6: "svart shared WQ, burst 32",
             3: "dma_skeleton burst 32", 4: "memcpy, one core"}
    keys = {2: (32, "dedicated", "gbps"), 5: (1, "dedicated", "gbps"), 6: (32, "shared", "gbps"),
            3: (32, "dedicated", "skeleton_gbps"), 4: (32, "dedicated", "memcpy_gbps")}
    have = [c for c, (b, m, k) in keys.items()
            if any(r["op"] == "copy" and r["burst"] == b and r["mode"] == m and r.get(k) for r in res)]
    series = ", ".join(f"'{d}/throughput.dat' u 1:{c} w lp t '{names[c]}'" for c in have) or "NaN notitle"
    # The page-request round trip: percentiles only (the fault service's histogram).
    with open(os.path.join(d, "pri_points.dat"), "w", encoding="utf-8") as f:
        f.write("# latency_us quantile (svart page-request round trip)\n")
        pri = lat["pri_roundtrip"]
        for key, q in (("p50", 0.5), ("p90", 0.9), ("p99", 0.99), ("p999", 0.999)):
            if pri.get(key):
                f.write(f"{pri[key] / 1e3:.3f} {q}\n")
    script = f"""
set terminal pngcairo size 1100,560 noenhanced
set datafile missing 'NaN'
set output '{d}/throughput.png'
set title 'Copy throughput vs transfer size (same run, engine and peers on the same core)'
set logscale xy 2
set format x '%.0b %BB'
set format y '%g'
set xlabel 'transfer size'
set ylabel 'GB/s'
set key outside right top
set grid
plot {series}
set output '{d}/fault_latency.png'
set title 'Fault latency distribution (same run)'
unset logscale
set logscale x 10
set format x '%g'
set format y '%g'
set xlabel 'latency (us, log scale)'
set ylabel 'fraction of faults'
set key outside right bottom
plot '{d}/fault_cdf.dat' u 2:1 w l lw 2 t 'svart op with a device fault (submit->done)', \\
     '{d}/pri_points.dat' u 1:2 w p pt 7 ps 1.5 t 'svart page-request round trip (p50..p99.9)', \\
     '{d}/fault_cdf.dat' u 3:1 w l lw 2 t 'userfaultfd round trip', '' u 4:1 w l lw 2 t 'CPU first-touch fault', \\
     '' u 5:1 w l lw 2 t 'MADV_POPULATE_WRITE, 1 page'
"""
    with open(os.path.join(d, "plots.gp"), "w", encoding="utf-8") as f:
        f.write(script)
    rc = subprocess.call(["gnuplot", os.path.join(d, "plots.gp")])
    if rc == 0:
        print(f"plots: {d}/throughput.png {d}/fault_latency.png")


if __name__ == "__main__":
    main()
