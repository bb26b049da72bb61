"""Scale benchmark: extraction throughput, full and incremental builds, queries, memory.

One command prints the table of the scale issue with each figure beside its baseline:

    python benchmarks/bench_build.py                      # 100,000 abstracts (about 10 minutes)
    python benchmarks/bench_build.py --n 20000 --quick    # a smaller run

Inputs are resampled from the real corpus (``../shared/corpus/mlanthology.jsonl.gz``,
never committed): the first N records, cycled with a copy number appended to the
title when N exceeds the corpus (no text is invented).  Every build runs as a
``kg build`` subprocess whose whole process tree is sampled for resident memory.
"""
from __future__ import annotations

import argparse
import gzip
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus" / "mlanthology.jsonl.gz"


def read_corpus(path: Path, n: int, skip: int = 0) -> list[dict]:
    """``n`` records after the first ``skip``, cycling through the corpus if needed."""
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        records = [json.loads(line) for line in handle]
    out = []
    i = skip
    while len(out) < n:
        rec = records[i % len(records)]
        copy = i // len(records)
        title = rec["title"] if copy == 0 else f"{rec['title']} (copy {copy})"
        out.append({"id": f"{rec.get('id', i)}-{copy}", "title": title, "abstract": rec["abstract"]})
        i += 1
    return out


def write_jsonl(records: list[dict], path: Path) -> Path:
    with open(path, "w", encoding="utf-8") as handle:
        for rec in records:
            handle.write(json.dumps(rec, ensure_ascii=False) + "\n")
    return path


def _tree_rss(pid: int) -> int:
    """Resident memory (bytes) of a process and all its descendants, from /proc."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                ppid = int(handle.read().rsplit(")", 1)[1].split()[1])
            children.setdefault(ppid, []).append(int(entry))
        except (OSError, ValueError, IndexError):
            continue
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        todo.extend(children.get(p, []))
        try:
            with open(f"/proc/{p}/status") as handle:
                for line in handle:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1]) * 1024
        except OSError:
            pass
    return total


def run_build(args: list[str]) -> tuple[float, int, str]:
    """Run ``kg build ARGS``; return seconds, peak RSS of the process tree, and its summary line."""
    proc = subprocess.Popen([sys.executable, "-m", "kg", "build", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, cwd=ROOT)
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _tree_rss(proc.pid))
            time.sleep(0.2)

    t0 = time.perf_counter()
    watcher = threading.Thread(target=sample, daemon=True)
    watcher.start()
    out, err = proc.communicate()
    seconds = time.perf_counter() - t0
    done.set()
    watcher.join()
    if proc.returncode != 0:
        raise SystemExit(f"kg build {' '.join(args)} failed:\n{err[-2000:]}")
    stages = [line for line in err.splitlines() if line.startswith("stages: ")]
    if stages:
        print("  ", stages[-1])
    return seconds, peak, out.strip().splitlines()[-1]


def extraction_rate(records: list[dict], jobs: int) -> float:
    """Abstracts per second through extraction alone (no cache, no output)."""
    from kg.engine import extract_all
    from kg.records import Paper

    papers = [Paper(id=str(i), title=r["title"], abstract=r["abstract"]) for i, r in enumerate(records)]
    extract_all(papers[:200], jobs=1)  # warm up the pipeline once
    t0 = time.perf_counter()
    extract_all(papers, jobs=jobs)
    return len(papers) / (time.perf_counter() - t0)


def rules_rate(records: list[dict]) -> float:
    """The extractor without its learned classifier (the rules alone), one process."""
    from kg.extract.pipeline import build_nlp, extract
    from kg.records import Paper

    nlp = build_nlp(classify=False)
    papers = [Paper(id=str(i), title=r["title"], abstract=r["abstract"]) for i, r in enumerate(records)]
    list(extract(nlp, papers[:200]))
    t0 = time.perf_counter()
    for _ in extract(nlp, papers, batch_size=256):
        pass
    return len(papers) / (time.perf_counter() - t0)


def tokenizer_rate(records: list[dict]) -> float:
    """The floor: spaCy's blank tokenizer alone over the same texts, one process."""
    import spacy

    nlp = spacy.blank("en")
    texts = [r["title"] + "\n\n" + r["abstract"] for r in records]
    list(nlp.pipe(texts[:200]))
    t0 = time.perf_counter()
    for _ in nlp.pipe(texts, batch_size=256):
        pass
    return len(texts) / (time.perf_counter() - t0)


def query_times(graph: Path) -> dict[str, float]:
    from kg.rdf.serialize import load_store
    from kg.sparql import named_queries, query_text, run, substitutions

    store = load_store(graph)
    times = {}
    for name in named_queries():
        text = query_text(name)
        values, hide = substitutions(text)  # the parameters' defaults
        t0 = time.perf_counter()
        run(store, text, bind=values, hide=hide)
        times[name] = time.perf_counter() - t0
    return times


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--n", type=int, default=100_000, help="abstracts in the full build")
    parser.add_argument("--add", type=int, default=1_000, help="abstracts added for the incremental build")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--sample", type=int, default=10_000, help="abstracts for the throughput figures")
    parser.add_argument("--quick", action="store_true", help="skip the single-process full build")
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args(argv)
    if not args.corpus.is_file():
        raise SystemExit(f"corpus not found: {args.corpus}")

    work = args.workdir or Path(tempfile.mkdtemp(prefix="kg-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    print(f"machine: {os.cpu_count()} cores; python {sys.version.split()[0]}; work dir {work}")
    records = read_corpus(args.corpus, args.n)
    extra = read_corpus(args.corpus, args.add, skip=args.n)
    base = write_jsonl(records, work / "corpus.jsonl")
    more = write_jsonl(extra, work / "added.jsonl")
    sample = records[:args.sample]

    rows = []
    floor = tokenizer_rate(sample)
    rules = rules_rate(sample)
    one = extraction_rate(sample, 1)
    two = extraction_rate(sample, args.jobs)
    rows.append(("extraction throughput, --jobs %d" % args.jobs, f"{two:,.0f} abstracts/s",
                 f"1 process {one:,.0f}/s; rules alone (no model) {rules:,.0f}/s; bare tokenizer {floor:,.0f}/s",
                 "≥ 1,500/s"))

    out = work / "out"
    full_s, full_mem, full_line = run_build([str(base), "-o", str(out), "--jobs", str(args.jobs), "--no-site",
                                             "--no-progress", "--timings"])
    print("full build:", full_line)
    rows.append((f"full build of {args.n:,} abstracts (--jobs {args.jobs})", f"{full_s:,.1f} s", "", "≤ 180 s"))
    rows.append(("peak memory of that build (process tree)", f"{full_mem / 2**30:.2f} GB", "", "≤ 4 GB"))

    inc_s, _, inc_line = run_build([str(base), str(more), "-o", str(out), "--jobs", str(args.jobs), "--no-site",
                                    "--no-progress", "--timings"])
    print("incremental build:", inc_line)
    cold_s, _, _ = run_build([str(base), str(more), "-o", str(work / "cold"), "--jobs", str(args.jobs),
                              "--no-site", "--no-progress", "--no-cache"])
    rows.append((f"adding {args.add:,} abstracts (cached rebuild)", f"{inc_s:,.1f} s ({100 * inc_s / full_s:.1f} %"
                 " of the full build)", f"cold rebuild {cold_s:,.0f} s", "≤ 10 %"))

    if not args.quick:
        single_s, single_mem, _ = run_build([str(base), "-o", str(work / "single"), "--jobs", "1", "--no-site",
                                             "--no-progress", "--no-cache"])
        rows.append(("single-process full build (baseline)", f"{single_s:,.0f} s", f"peak {single_mem / 2**30:.2f} GB",
                     ""))

    times = query_times(out)
    for name, seconds in times.items():
        rows.append((f"query {name} (Oxigraph store)", f"{seconds:.3f} s", "rdflib: see bench_query.py", "< 1 s"))

    width = [max(len(str(r[i])) for r in rows) for i in range(4)]
    header = ("figure", "measured", "baseline (same run)", "target")
    width = [max(w, len(h)) for w, h in zip(width, header)]
    print()
    print("  ".join(h.ljust(w) for h, w in zip(header, width)))
    print("  ".join("-" * w for w in width))
    for r in rows:
        print("  ".join(str(c).ljust(w) for c, w in zip(r, width)))


if __name__ == "__main__":
    main()
