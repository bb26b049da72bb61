"""Writing a build's files block by block, reusing the previous build's bytes.

``graph.nt``, ``graph.ttl`` and ``graph.json`` are concatenations of the
blocks of :mod:`kg.graph.blocks` (papers, then entities), followed in the RDF
files by the build's description.  Beside them, ``.kg-cache-blocks`` records
each block's signature and where its bytes lie in each file.  A rebuild
renders only the blocks whose signature is new and copies every other block's
bytes from the previous files (adjacent blocks in one ``copy_file_range``);
the Oxigraph store is likewise a hard-linked checkpoint of the previous one
with the triples of changed blocks removed and added.  Adding 1,000 papers to
100,000 so costs a fraction of the full build, and the result is byte for
byte what a cold build writes (the files record no trace of how they were made).

The index is trusted only if every file it describes still has the size and
SHA-256 it recorded and was written by the same rendering code; otherwise
everything is rendered afresh (a damaged file is never copied into a new build).
"""
from __future__ import annotations

import contextlib
import functools
import hashlib
import marshal
import os
from array import array
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import pyoxigraph

from . import cachefile
from .fsutil import atomic_write, sha256_file
from .graph import CorpusGraph
from .graph.blocks import JSON_SEP, block_order, json_frame, json_parts, signature
from .rdf.triples import BuildInfo, description_size, description_triples, entity_triples, paper_triples
from .rdf.vocab import PREFIXES

INDEX = ".kg-cache-blocks"
INDEX_MAGIC = b"kg block index 2\n"
"""Starts the index file, then its SHA-256 (:mod:`kg.cachefile`); format 1 had neither."""
PATCH_LIMIT = 1 << 27
"""Bytes of changed N-Triples beyond which the store is bulk-loaded rather than patched."""
FILES = ("graph.nt", "graph.ttl", "graph.json")
_PREFIXES = {k: str(v) for k, v in PREFIXES.items()}


@functools.lru_cache(maxsize=1)
def _renderer_version() -> str:
    """A hash of the code that renders blocks: new code never reuses old bytes."""
    from . import __version__
    from .graph import blocks, build
    from .rdf import triples, vocab

    h = hashlib.sha256(f"{__version__} {pyoxigraph.__version__}".encode())
    for module in (blocks, build, triples, vocab):
        h.update(Path(module.__file__).read_bytes())
    h.update(Path(__file__).read_bytes())
    return h.hexdigest()


class Index:
    """The block index of a build: per block, its signature, triple count and places in the files.

    Places are (start, length) relative to each part's base: graph.nt, the
    Turtle after its prefix lines, and the ``edges`` and ``nodes`` arrays of
    graph.json.  Rows live in one ``array`` of integers (9 per block) and one
    string of 16-byte signatures, so reading 200,000 rows takes a few
    hundredths of a second.
    """

    def __init__(self, ids: list[str], signatures: bytes, numbers: array, bases: tuple[int, int, int, int]):
        self.ids, self.signatures, self.numbers, self.bases = ids, signatures, numbers, bases
        self.position = {block: i for i, block in enumerate(ids)}

    def __len__(self) -> int:
        return len(self.ids)

    def nt_range(self, i: int) -> tuple[int, int]:
        return self.numbers[9 * i + 1], self.numbers[9 * i + 2]


def read_index(out: Path) -> Index | None:
    """The block index of the build in ``out``, or ``None`` if it is missing, stale, foreign or damaged.

    Damage (the index or a file it describes changed since it was written,
    by SHA-256) is a :class:`~kg.errors.CacheWarning`; an index of other
    rendering code is silently stale.
    """
    body, why = cachefile.read(out / INDEX, INDEX_MAGIC)
    if body is None:
        if why is not None:
            cachefile.warn(out / INDEX, why, "every block is rendered afresh")
        return None
    try:
        data = marshal.loads(body)  # 3 times faster than load(handle)
        if data.get("renderer") != _renderer_version():
            return None
        why = _changed(out, data["files"])
        if why is None:
            numbers = array("q")
            numbers.frombytes(data["numbers"])
            index = Index(data["ids"], data["signatures"], numbers, tuple(data["bases"]))
            if len(index.signatures) == 16 * len(index) and len(numbers) == 9 * len(index):
                return index
            why = "inconsistent"
    except (OSError, ValueError, EOFError, TypeError, KeyError, AttributeError) as exc:
        why = f"cannot be used ({exc})"
    cachefile.warn(out / INDEX, why, "every block is rendered afresh")
    return None


def _changed(out: Path, files: dict) -> str | None:
    """Which file the index describes is missing or differs from its recorded size and SHA-256, if any."""
    for name, (size, digest) in files.items():
        path = out / name
        if not path.is_file() or path.stat().st_size != size or sha256_file(path) != digest:
            return f"{name} changed since the build that wrote it"
    return None


def _write_index(path: Path, stage: Path, ids: list[str], signatures: list[bytes], numbers: array,
                 bases: tuple[int, int, int, int]) -> None:
    stamps = {name: (os.stat(stage / name).st_size, sha256_file(stage / name)) for name in FILES}
    cachefile.dump(path, INDEX_MAGIC, marshal.dumps({
        "renderer": _renderer_version(), "files": stamps, "ids": ids, "signatures": b"".join(signatures),
        "numbers": numbers.tobytes(), "bases": bases}))


def _copy(src: BinaryIO, start: int, length: int, dst: BinaryIO) -> None:
    """Append ``length`` bytes of ``src`` from ``start`` to ``dst`` (in the kernel where possible)."""
    dst.flush()
    fd_in, fd_out = src.fileno(), dst.fileno()
    while length > 0:
        try:
            done = os.copy_file_range(fd_in, fd_out, length, start)
        except (AttributeError, OSError):
            done = 0
        if done <= 0:  # no copy_file_range here (or it refused): plain reads and writes
            src.seek(start)
            while length > 0:
                chunk = src.read(min(length, 1 << 22))
                if not chunk:
                    raise OSError(f"{src.name}: ends before byte {start + length}")
                dst.write(chunk)
                start, length = start + len(chunk), length - len(chunk)
            return
        start, length = start + done, length - done


class _Part:
    """One output stream of fragments: new bytes, or ranges of the previous file copied in runs.

    ``sep`` goes between two non-empty fragments (", " in a JSON array).
    Offsets are relative to the first byte written.
    """

    def __init__(self, out: BinaryIO, old: BinaryIO | None, sep: bytes = b""):
        self.out, self.old, self.sep = out, old, sep
        self.pos = 0  # bytes written or waiting in the run
        self.count = 0
        self.run: list[int] | None = None  # [start, end) of the previous file still to copy

    def _flush(self) -> None:
        if self.run is not None:
            _copy(self.old, self.run[0], self.run[1] - self.run[0], self.out)
            self.run = None

    def _separate(self) -> None:
        if self.count and self.sep:
            self.out.write(self.sep)
            self.pos += len(self.sep)

    def write(self, data: bytes) -> tuple[int, int]:
        if not data:
            return (self.pos, 0)
        self._flush()
        self._separate()
        self.out.write(data)
        at, self.count = self.pos, self.count + 1
        self.pos += len(data)
        return (at, len(data))

    def copy(self, start: int, length: int) -> tuple[int, int]:
        if not length:
            return (self.pos, 0)
        if self.run is not None and start == self.run[1] + len(self.sep):
            self.run[1] = start + length  # the separator between them comes along
            self.pos += len(self.sep)
        else:
            self._flush()
            self._separate()
            self.run = [start, start + length]
        at, self.count = self.pos, self.count + 1
        self.pos += length
        return (at, length)

    def close(self) -> None:
        self._flush()


def turtle_header() -> bytes:
    """The ``@prefix`` lines every Turtle block would start with."""
    probe = pyoxigraph.serialize([pyoxigraph.Quad(pyoxigraph.NamedNode("urn:x:s"), pyoxigraph.NamedNode("urn:x:p"),
                                                  pyoxigraph.NamedNode("urn:x:o"))],
                                 format=pyoxigraph.RdfFormat.TURTLE, prefixes=_PREFIXES)
    return probe[:probe.index(b"<urn:x:s>")]


def to_turtle(nt: bytes, header: bytes) -> bytes:
    """The Turtle of a block's N-Triples, without the prefix lines."""
    if not nt:
        return b""
    text = pyoxigraph.serialize(pyoxigraph.parse(nt, format=pyoxigraph.RdfFormat.N_TRIPLES),
                                format=pyoxigraph.RdfFormat.TURTLE, prefixes=_PREFIXES)
    if not text.startswith(header):
        raise AssertionError("Turtle writer changed its prefix lines")
    return text[len(header):]


@dataclass
class Written:
    """What :func:`write_outputs` wrote, and what the store needs to be brought up to date."""

    triples: int
    rendered: int  # blocks rendered anew
    reused: int  # blocks copied from the previous build
    added: list[bytes]  # N-Triples of blocks new in this build (incl. the description)
    removed: list[bytes]  # N-Triples of the previous build's blocks that are gone or changed
    incremental: bool  # the previous build's files were reused and the changes fit in PATCH_LIMIT


def _block_lines(cg: CorpusGraph, block: str) -> list[str]:
    return paper_triples(cg, block) if block.startswith("paper/") else entity_triples(cg, block)


def write_outputs(cg: CorpusGraph, info: BuildInfo, stage: Path, previous: Path | None) -> Written:
    """Write ``graph.nt``, ``graph.ttl``, ``graph.json`` and the block index into ``stage``.

    Blocks whose signature matches the index in ``previous`` are copied from
    its files; the others are rendered.  The three files are not yet flushed
    to disk: the caller does so (:class:`~kg.fsutil.Syncing` over
    :data:`FILES`) before publishing them.
    """
    index = read_index(previous) if previous is not None else None
    header = turtle_header()
    frame = [part.encode("utf-8") for part in json_frame(cg)]
    ids: list[str] = []
    signatures: list[bytes] = []
    numbers = array("q")
    added: list[bytes] = []
    removed: list[bytes] = []
    rendered = triples = 0
    patch = index is not None  # collect the changes for the store while they stay small
    patch_bytes = 0
    with contextlib.ExitStack() as stack:
        old = {name: stack.enter_context(open(previous / name, "rb")) for name in FILES} if index else {}
        nt_out = stack.enter_context(atomic_write(stage / "graph.nt", "wb", sync=False))
        ttl_out = stack.enter_context(atomic_write(stage / "graph.ttl", "wb", sync=False))
        json_out = stack.enter_context(atomic_write(stage / "graph.json", "wb", sync=False))
        nodes_tmp = stack.enter_context(open(stage / ".graph.json.nodes", "w+b"))
        ttl_out.write(header)
        json_out.write(frame[0])
        parts = (_Part(nt_out, old.get("graph.nt")), _Part(ttl_out, old.get("graph.ttl")),
                 _Part(json_out, old.get("graph.json"), JSON_SEP.encode()),
                 _Part(nodes_tmp, old.get("graph.json"), JSON_SEP.encode()))
        position = index.position if index else {}
        old_sigs, old_numbers, old_bases = (index.signatures, index.numbers, index.bases) if index else (b"", (), ())
        run: list[int] = []  # [first, end) of the previous blocks being reused, in the old index's order
        for block in block_order(cg):
            sig = signature(cg, block)
            i = position.get(block)
            if i is not None and old_sigs[16 * i:16 * i + 16] == sig:
                if run and run[1] == i:
                    run[1] += 1
                else:
                    triples += _copy_run(run, old_numbers, old_bases, parts, numbers)
                    run = [i, i + 1]
            else:
                triples += _copy_run(run, old_numbers, old_bases, parts, numbers)
                run = []
                lines = _block_lines(cg, block)
                n, rendered = len(lines), rendered + 1
                data = "".join(line + "\n" for line in lines).encode("utf-8")
                json_edges, json_nodes = json_parts(cg, block)
                numbers.append(n)
                for part, bytes_ in zip(parts, (data, to_turtle(data, header), json_edges.encode("utf-8"),
                                                json_nodes.encode("utf-8"))):
                    numbers.extend(part.write(bytes_))
                if patch:
                    added.append(data)
                    if i is not None:
                        removed.append(_read(old["graph.nt"], *index.nt_range(i)))
                    patch_bytes += len(data)
                    if patch_bytes > PATCH_LIMIT:  # too much changed: bulk-load instead
                        patch = False
                        added.clear()
                        removed.clear()
                triples += n
            ids.append(block)
            signatures.append(sig)
        triples += _copy_run(run, old_numbers, old_bases, parts, numbers)
        if patch:
            kept = set(ids)
            for block in sorted(position.keys() - kept):  # gone, and the old description
                removed.append(_read(old["graph.nt"], *index.nt_range(position[block])))
        total = triples + description_size(info)
        data = "".join(line + "\n" for line in sorted(description_triples(cg, info, total))).encode("utf-8")
        added.append(data)
        ids.append("build")
        signatures.append(bytes(16))
        numbers.append(description_size(info))
        numbers.extend(parts[0].write(data) + parts[1].write(to_turtle(data, header)) + (0, 0, 0, 0))
        for part in parts:
            part.close()
        json_out.write(frame[1])
        nodes_base = len(frame[0]) + parts[2].pos + len(frame[1])
        nodes_tmp.flush()
        _copy(nodes_tmp, 0, parts[3].pos, json_out)
        json_out.write(frame[2])
    os.unlink(stage / ".graph.json.nodes")
    _write_index(stage / INDEX, stage, ids, signatures, numbers, (0, len(header), len(frame[0]), nodes_base))
    return Written(total, rendered, len(ids) - 1 - rendered, added, removed, patch)


def _copy_run(run: list[int], old_numbers: array, old_bases: tuple, parts: tuple[_Part, ...],
              numbers: array) -> int:
    """Copy the previous build's blocks ``run[0]`` to ``run[1]`` (adjacent there) and index them; their triples.

    Each part's bytes of the run are one range of the old file (separators
    included), so each part takes one copy; the blocks' rows are the old ones
    with every start shifted by where the range lands, which array slicing
    does without a Python step per block (a rebuild reuses 200,000 blocks).
    """
    if not run:
        return 0
    rows = old_numbers[9 * run[0]:9 * run[1]]
    for k, part in enumerate(parts):
        starts, lengths = rows[2 * k + 1::9], rows[2 * k + 2::9]
        first = next((j for j, n in enumerate(lengths) if n), None)
        if first is None:  # nothing in this part: empty fragments stand where the part is
            shift = part.pos - starts[0]
        else:
            last = len(lengths) - next(j for j, n in enumerate(reversed(lengths)) if n) - 1
            begin = starts[first]
            at, _ = part.copy(old_bases[k] + begin, starts[last] + lengths[last] - begin)
            shift = at - begin
        if shift:
            rows[2 * k + 1::9] = array("q", map(shift.__add__, starts))
    numbers.extend(rows)
    return sum(rows[0::9])


def _read(handle: BinaryIO, start: int, length: int) -> bytes:
    handle.seek(start)
    return handle.read(length)
