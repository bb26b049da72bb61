#!/usr/bin/env python3
"""Build kg/extract/data/lexicon.jsonl: a lexicon of well-known ML entities.

Usage:
    python scripts/build_lexicon.py [SOURCES_DIR] [--out PATH] [--quiet]

SOURCES_DIR defaults to ``../shared/lexicon-sources`` (relative to the repo root).
When it is missing, only the curated files are used (a warning is printed).

Inputs
------
* ``kg/extract/data/curated/{models,datasets,techniques,tasks,metrics}.jsonl`` --
  hand-curated entries written for this project (source ``curated``).
* ``kg/extract/data/generic.txt`` -- generic phrases that must never become entities.
* Raw public name lists in SOURCES_DIR (noisy; filtered hard here):
    - ``pwc-methods-2022.json.gz`` -- Papers with Code ``methods.json`` export (May 2022),
      as committed in GitHub mariaayuso/topic-modeling-on-software
      @ 93b8bffee2a87c0ff64bee77be81d51a6af378e7.  Licence: Papers with Code data, CC BY-SA.
      Source tag ``pwc-methods-2022``; typed Model or Technique by collection.
    - ``pwc-archive-tasks/all_tasks_detailed.csv`` and ``all_tasks.txt`` -- Papers with Code
      task archive, GitHub World-Snapshot/papers-with-code
      @ c50b88eb13b179903ecf715bb941fef91bdb5414.  Licence: CC BY-SA 4.0.
      Source tag ``pwc-archive-tasks``; tasks, their common datasets and SOTA metrics.
    - ``sota-extractor-tasks/*.json`` -- leaderboards from GitHub paperswithcode/sota-extractor
      @ e6374da129cedab1736e97883bfbcddb7ddd2a72, ``data/tasks/``.  Licence: Apache-2.0.
      Source tag ``sota-extractor``; tasks, datasets, metrics and (strictly filtered) model names.

Output
------
``kg/extract/data/lexicon.jsonl``: one JSON object a line, sorted by (type, name), fields
``type, name, aliases, source, case_sensitive``, plus ``higher_is_better`` on every Metric
entry and ``same_as`` on entries that link out (see below).  Entries are merged by (type, normalised
name) where the normalised form is lower-case alphanumerics only ("+" is kept as "plus", so
U-Net++ and U-Net stay apart).  A curated entry keeps its name as canonical; ``source`` lists
every contributing source joined by ";".  A raw-source name colliding with a curated entry of
a different type is dropped.

``case_sensitive`` is true when some surface form of the entry is an acronym or mixed-case
token that is at most 4 characters long or whose lower-case form is an English word
(GLUE/glue, OPT/opt, Lion/lion, SAM/sam), with an override table for the cases the rule gets
wrong.  For such entries the lower-case form of every long, unambiguous multi-word name is
added as an alias, so that a case-sensitive matcher still finds "layer normalization".

``same_as`` lists the Linked Papers With Code IRI of the entry: for the Papers with Code
method merged into it, ``https://linkedpaperswithcode.com/method/<slug>`` with the slug of the
method's own ``url`` field (LPWC mints its method IRIs from that slug).  When several methods
merged into one entry, only the one whose name or full name is the entry's links (none if no
single one is).  The task and dataset sources carry no Papers with Code URL or slug, so tasks
and datasets get none: slugs are never derived from names.

``higher_is_better`` (true/false, null if unknown) says whether a larger value of a metric is
better.  Curated metrics state it (``kg/extract/data/curated/metrics.jsonl``); none of the raw
sources states it per metric, so a raw-only metric gets it from :func:`metric_direction`, a
small rule on its name.
"""
from __future__ import annotations

import argparse
import csv
import glob
import gzip
import io
import json
import os
import re
import sys
from collections import Counter, OrderedDict

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.path.join(REPO, "kg", "extract", "data")
CURATED_DIR = os.path.join(DATA, "curated")
CURATED_FILES = ["models", "datasets", "techniques", "tasks", "metrics"]
TYPES = ("Model", "Dataset", "Technique", "Task", "Metric")
DEFAULT_SOURCES = os.path.join(os.path.dirname(REPO), "shared", "lexicon-sources")

SRC_CURATED = "curated"
SRC_PWC_METHODS = "pwc-methods-2022"
SRC_PWC_TASKS = "pwc-archive-tasks"
SRC_SOTA = "sota-extractor"
SOURCE_ORDER = [SRC_CURATED, SRC_PWC_METHODS, SRC_PWC_TASKS, SRC_SOTA]

# ---------------------------------------------------------------------------------------
# Normalisation and filters
# ---------------------------------------------------------------------------------------


def norm(s: str) -> str:
    """Lower-case alphanumerics only; '+' kept as 'plus' (U-Net++ != U-Net)."""
    s = s.lower().replace("+", "plus")
    return "".join(c for c in s if c.isalnum())


# Common English words that a (mixed-case or upper-case) ML name can collide with.
# Used for case_sensitive and for rejecting raw-source names that are plain words.
ENGLISH_WORDS = set(
    """
    a about above across act actor adam adapter adapters after again against age agent agents
    air align all alpha amp an and ant any apps arc area arena art as ask at atlas attend
    autumn average back bag bagging ball bark base basic batch be beam bear bed bee best beta
    big bird birds bit blend blender blink blip block bloom blue board bold book books boost
    bootstrap box brain bridge bright bud bug build bus but by cab cake call camel can cap car
    card care cars cat cell chain chair change chaos char chat check chef chess chip chunk
    city class clean clear clip clock cloud coach code coin cold color comet common cone
    contrast cool cope core corn cost count cover crab craft crane crop cross crowd crown cube
    cue cup cure cut cutout dale dance dart dash data date dawn day deal deep deer delta den
    dense depth desk detect dial dice diff dim dino dip dish disk dive dock dog dolly dome
    door dot dove down draft dragon draw dream dreamer drive drop drum duck dust eagle ear
    earth easy echo edge edit egg elastic electricity element elf elite elm ember emu end
    energy engine epic era ermine essay eve event ever exchange eye face fact fair faith
    falcon fan far farm fast fate feather fed fern fever few field fig film find fine fire
    fish fit fix flame flash fleet flex flip float flock flow flower fly foam focus fog fold
    food fool force forest fork form fox frame free fresh frog frozen fuel full fun fusion
    fuse galaxy game gap gate gaze gem gemini genie ghost giant gift give glad glance glass
    glide globe gloss glove glow go goal goat gold golf good gopher gorilla grace grain graph
    grape grass great grid grip grok groove ground group grove grow guard guide gulf gym hair
    half hall hand harbor hare harmony hat haven hawk hay head heal heart heat hedge hello
    helm help hen herd hero hill hint hip hive hold hole home honey hope horn horse host hot
    hour house hub hug human hunt hydra ice icon idea ill image imp ink inn iris iron island
    jade jam jar jazz jet jewel job join joke joy judge juice jump jury just keen keep key
    kid kind king kite knot koala lab lace lady lake lamb lamp land lane lark laser last
    late lava law lawn layer lead leaf lean leap left leg lemon lens lever liar lid life
    lift light lily lime line link lion lip list live load loaf local lock log long look
    lookahead loop lord lotus love luck lumber lunar lynx mace magic maid mail main major
    make mamba man map maple march mark mars mask mass master match math mate maze meal mean
    meena mega melody memory mesh metal meter mild mile milk mill mind mine mint mirror mist
    mix mixer mob mock mode model mole monarch money monk moon moose moth motion mouse move
    mule muse music nail name navy near neat neck nest net new news nice night noble node
    noise north nose note nova number nurse oak oar oasis ocean odd olive omega one open
    opt orbit orca order otter outlook owl ox pace pack page pail paint pal palm pan panda
    panel paper park parrot part party pass past path paw peace peak pear pearl pen pencil
    pepper pet phoenix piano pick pie pier pig pike pile pilot pin pine pipe pit pixel place
    plain plan plane plant plate play plot plum poem point pole polo pond pool pop port pose
    post pot power press prime probe prophet proto pulse pump pupil puppy quail queen quest
    quick quilt race rack radar rag rain rainbow ram ranger rank rap rapid rat raven ray
    reach read real reason record red reed reef reformer reel relay replica rest ride ridge
    rig ring rise river road roam robin rock rod role roll roof room root rope rose round
    route rover row ruby rule run rush sage sail salt sam same sand sat save saw say scale
    scan scene scout screen sea seal seed seek self sense set shade shadow shampoo shape
    share shark sharp sheep shell shield ship shore short show side sight sign silk silver
    simple sing sink site size sketch skill sky slate sleep slice slide slim slot small
    smart smile smooth snake snow soar sock soft soil solar solo song sort soul sound soup
    source south space spade span spark spear speech speed spell spice spider spike spin
    spire split spoon sport spot spring spur spy square squirrel stable staff stage stair
    stamp star starling start state steam steel stem step stick still stone stool store
    storm story stream street stride strike string strong student style sugar suit summit
    sun super surf swan swap sweep swift swing switch sword table tag tail tale talk tall
    tank tap target taste tea teach team tear ten tent test text theme thread tide tiger
    tile time tiny tip titan toad toast token tone tool top torch touch tour tower toy
    trace track trade traffic trail train tram trap tree trek trend trial tribe trick trim
    trip true trunk trust tube tulip tune turbo turn turtle twin twins twist union unit
    up urge use valley value van vapor vault vector verb vest vibe view villa vine viper
    virtue visa vision voice vote voyager wage wagon walk wall wand war ward warm wasp
    watch water wave wax way weather web weed well whale wheat wheel whip whisper wide wild
    will wind window wine wing winter wire wise wish wolf wood word work world worm wrap
    yak yard yarn year yeast yield yoga you zebra zephyr zero zone
    accuracy recall precision perplexity softmax sigmoid dropout momentum warmup pruning
    quantization attention convolution pooling boosting bagging sorting clustering parsing
    tagging chunking grounding captioning retrieval recommendation summarization translation
    quality jukebox sophia medusa swish mosaic performer synthesizer hyena charades kinetics
    switchboard muon wanda grover segmenter donut nougat jasper florence chameleon prodigy
    """.split()
)

# Manual overrides of the case_sensitive rule, by normalised canonical name.
CASE_SENSITIVE_OVERRIDES = {
    # rule says False, but the lower-case form is ordinary text
    "adam": True,         # Adam the optimizer vs the name/word
    "lookahead": True,
    "glow": True,
    "rainbow": True,
    "prophet": True,
    "dreamer": True,
    "electricity": True,
    "traffic": True,
    "weather": True,
    "exchange": True,
    "mamba": True,
    "pythia": True,
    "alpaca": True,
    "vicuna": True,
    "falcon": True,
    "chinchilla": True,
    "gopher": True,
    "sparrow": True,
    "flamingo": True,
    "orca": True,
    "gemini": True,
    "codex": True,
    # rule says True (short), but the forms are never ordinary words and case varies in text
    "word2vec": False,
    "fasttext": False,
    "pix2pix": False,
    "node2vec": False,
}

BAD_CHARS = re.compile(r"[()\[\]{}+=;:,!?\"*|<>@#$%^~`\\]")
ROW_LABEL_WORDS = re.compile(
    r"\b(ensemble|single|model|models|baseline|ours|our|w/o|with|without|using|based|"
    r"pretrained|pre-trained|fine-tuned|finetuned|large|base|small|tiny|version|v\d+\.\d+)\b",
    re.I,
)
SPLIT_SUFFIX = re.compile(
    r"\s+(val|valid|validation|test|test-dev|test-std|test-challenge|testdev|dev|train|"
    r"test set|val set|dev set|split)$",
    re.I,
)


def load_generic(path: str) -> set[str]:
    out = set()
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            line = line.split("#", 1)[0].strip().lower()
            if line:
                out.add(line)
    return out


def clean_name(s: str) -> str:
    s = s.replace("\u00a0", " ").strip().strip('"').strip()
    s = re.sub(r"\s+", " ", s)
    return s


def basic_ok(name: str, generic: set[str], max_words: int = 6) -> bool:
    """Shared junk filter for raw-source names."""
    if not name or len(name) < 2 or len(name) > 60:
        return False
    if BAD_CHARS.search(name):
        return False
    if not re.search(r"[A-Za-z]", name):
        return False
    if not re.match(r"[A-Za-z0-9\u0370-\u03ff]", name):
        return False
    if len(name.split()) > max_words:
        return False
    if name.lower() in generic:
        return False
    if re.search(r"\d+(\.\d+)?\s*%|\bet al\b|https?://|\.com\b", name, re.I):
        return False
    return True


def is_plain_english(name: str) -> bool:
    """A single lower-/title-case word that is an ordinary English word."""
    return " " not in name and name.lower() in ENGLISH_WORDS and not (
        name.isupper() and len(name) > 1
    )


# ---------------------------------------------------------------------------------------
# Lexicon container
# ---------------------------------------------------------------------------------------


class Lexicon:
    def __init__(self, generic: set[str]):
        self.generic = generic
        self.entries: "OrderedDict[tuple[str, str], dict]" = OrderedDict()
        # normalised surface form -> set of types that curated entries use it for
        self.curated_forms: dict[str, set[str]] = {}
        # (type, normalised form) -> key of the entry owning it (names and aliases)
        self.form_index: dict[tuple[str, str], tuple[str, str]] = {}
        self.dropped = Counter()
        self.direction_paths = Counter()  # where each metric's higher_is_better came from

    def _index(self, key, forms):
        for f in forms:
            self.form_index.setdefault((key[0], norm(f)), key)

    def add_curated(self, rec: dict):
        typ, name = rec["type"], rec["name"]
        key = (typ, norm(name))
        aliases = [a for a in rec.get("aliases", []) if a and a != name]
        if key in self.entries:
            e = self.entries[key]
            for a in aliases:
                if a not in e["aliases"] and a != e["name"]:
                    e["aliases"].append(a)
        else:
            e = self.entries[key] = {
                "type": typ, "name": name, "aliases": list(aliases),
                "sources": [SRC_CURATED], "curated": True, "same_as": [],
            }
        if "higher_is_better" in rec:
            e["higher_is_better"] = rec["higher_is_better"]
        for f in [name] + aliases:
            self.curated_forms.setdefault(norm(f), set()).add(typ)
        self._index(key, [name] + aliases)

    def add_raw(self, typ: str, name: str, source: str, aliases=(), max_words: int = 6,
                same_as=()) -> bool:
        """Add a raw-source name (or only its provenance and ``same_as`` links to the entry it is)."""
        name = clean_name(name)
        # a raw name that is already a curated form of the same type only adds provenance
        ckey = self.form_index.get((typ, norm(name)))
        if ckey and self.entries[ckey]["curated"] and name.lower() not in self.generic:
            e = self.entries[ckey]
            if source not in e["sources"]:
                e["sources"].append(source)
            e["same_as"].extend(same_as)
            return True
        if not basic_ok(name, self.generic, max_words):
            self.dropped[(source, "junk")] += 1
            return False
        if is_plain_english(name):
            self.dropped[(source, "english-word")] += 1
            return False
        forms = [name] + [clean_name(a) for a in aliases]
        forms = [f for f in forms if f and basic_ok(f, self.generic, max_words)
                 and not is_plain_english(f)]
        # a form used by a curated entry of another type: drop the whole raw name
        for f in forms:
            other = self.curated_forms.get(norm(f), set()) - {typ}
            if other and typ not in self.curated_forms.get(norm(f), set()):
                self.dropped[(source, "collides-with-curated-" + "/".join(sorted(other)))] += 1
                return False
        # merge with an existing entry of the same type sharing any normalised form
        key = None
        for f in forms:
            key = self.form_index.get((typ, norm(f)))
            if key:
                break
        if key is None:
            key = (typ, norm(name))
            self.entries[key] = {"type": typ, "name": name, "aliases": [],
                                 "sources": [], "curated": False, "same_as": []}
        e = self.entries[key]
        if source not in e["sources"]:
            e["sources"].append(source)
        e["same_as"].extend(same_as)
        known = {norm(e["name"])} | {norm(a) for a in e["aliases"]}
        for f in forms:
            if norm(f) not in known:
                # do not steal a form owned by another entry of the same type
                owner = self.form_index.get((typ, norm(f)))
                if owner and owner != key:
                    continue
                e["aliases"].append(f)
                known.add(norm(f))
        self._index(key, forms)
        return True

    # -----------------------------------------------------------------------------------
    def finish(self) -> list[dict]:
        out = []
        for (typ, _), e in self.entries.items():
            forms = [e["name"]] + e["aliases"]
            # never emit generic forms as aliases; drop raw entries whose name is generic
            aliases = [a for a in e["aliases"] if a.lower() not in self.generic]
            if e["name"].lower() in self.generic:
                continue
            cs = case_sensitive(e["name"], aliases)
            if cs:
                aliases = add_lowercase_variants(e["name"], aliases)
            sources = sorted(set(e["sources"]), key=SOURCE_ORDER.index)
            rec = {
                "type": typ,
                "name": e["name"],
                "aliases": aliases,
                "source": ";".join(sources),
                "case_sensitive": cs,
            }
            if typ == "Metric":
                rec["higher_is_better"] = self._direction(e)
            links = self._links(e)
            if links:
                rec["same_as"] = links
            out.append(rec)
            del forms
        out.sort(key=lambda r: (TYPES.index(r["type"]), r["name"].lower(), r["name"]))
        return out

    def _links(self, e: dict) -> list[str]:
        """The entry's LPWC IRIs: of its one PwC method, or of the one of several named as the entry.

        ``e["same_as"]`` holds ``(iri, normalised names of the method)`` pairs.  Two methods in
        one entry (NMS and Soft-NMS, merged by a shared form) are distinct things: owl:sameAs
        to both would make them one, so only a method whose name is the entry's counts.
        """
        links = dict(e["same_as"])
        if len(links) > 1:
            links = {iri: names for iri, names in links.items() if norm(e["name"]) in names}
            if len(links) != 1:
                self.dropped[(SRC_PWC_METHODS, "same_as-ambiguous")] += 1
                return []
        return sorted(links)

    def _direction(self, e: dict) -> bool | None:
        """A metric's direction: the curated one, else :func:`metric_direction` (counted by path)."""
        if e.get("higher_is_better") is not None:
            self.direction_paths["curated"] += 1
            return e["higher_is_better"]
        found = metric_direction(e["name"], e["aliases"])
        self.direction_paths["name rule" if found is not None else "unknown"] += 1
        return found


# Words that make a metric's name say its direction (raw-source metrics only; curated metrics
# state it).  A lower-is-better word wins: "top-1 error", "accuracy loss".
LOWER_IS_BETTER = re.compile(
    r"(error|loss|perplexity|\bppl\b|distance|divergence|\bfid\b|\bkid\b|\bfvd\b|\bwer\b|"
    r"\bcer\b|\bmae\b|\bmse\b|rmse|mape|latency|\btime\b|flops|\bmacs\b|params|"
    r"parameters|\bnll\b|bits per|\bbp[cdb]\b)",
    re.I,
)
HIGHER_IS_BETTER = re.compile(
    r"(accuracy|\bacc\b|\bf1\b|f-score|f-measure|precision|recall|bleu|rouge|meteor|cider|"
    r"\bmap\b|\bap\d*\b|iou|auc|hits@|ndcg|mrr|exact match|\bem\b|pass@|psnr|ssim|"
    r"correlation|success rate|throughput|\bfps\b)",
    re.I,
)


def metric_direction(name: str, aliases=()) -> bool | None:
    """Whether a larger value of the metric named so is better, from its name; None if it does not say.

    >>> metric_direction("BLEU-4"), metric_direction("Top-1 Error Rate"), metric_direction("Dice")
    (True, False, None)
    """
    forms = [name, *aliases]
    if any(LOWER_IS_BETTER.search(f) for f in forms):
        return False
    if any(HIGHER_IS_BETTER.search(f) for f in forms):
        return True
    return None


def _form_is_risky(f: str) -> bool:
    """A form that needs case-sensitive matching."""
    if f == f.lower():
        return False  # written lower-case: matching it case-insensitively is the intent
    letters = re.sub(r"[^A-Za-z]", "", f)
    if not letters:
        return False
    compact = re.sub(r"[\s\-_.]", "", f)
    if len(compact) <= 4:
        return True
    # acronym or mixed-case single token whose lower-case form is an English word
    if " " not in f and f.lower() in ENGLISH_WORDS:
        return True
    # an all-caps acronym ("DREAM", "CHECKED"): no dictionary here, so assume it may collide
    if " " not in f and re.fullmatch(r"[A-Z]{5,}", f):
        return True
    return False


def case_sensitive(name: str, aliases: list[str]) -> bool:
    ov = CASE_SENSITIVE_OVERRIDES.get(norm(name))
    if ov is not None:
        return ov
    return any(_form_is_risky(f) for f in [name] + aliases)


def add_lowercase_variants(name: str, aliases: list[str]) -> list[str]:
    """For case-sensitive entries, list lower-case forms of safe long names explicitly."""
    have = {name} | set(aliases)
    out = list(aliases)
    for f in [name] + aliases:
        low = f.lower()
        if low in have or _form_is_risky(f) is False and f == low:
            continue
        if " " in f or "-" in f:
            words = re.split(r"[\s\-]+", low)
            if len(f) > 8 and not all(w in ENGLISH_WORDS for w in words) and not re.search(
                r"\b[A-Z0-9]{2,}\b", f
            ):
                out.append(low)
                have.add(low)
    return out


# ---------------------------------------------------------------------------------------
# Sources
# ---------------------------------------------------------------------------------------


def load_curated(lex: Lexicon) -> Counter:
    n = Counter()
    for fname in CURATED_FILES:
        path = os.path.join(CURATED_DIR, fname + ".jsonl")
        with open(path, encoding="utf-8") as fh:
            for lineno, line in enumerate(fh, 1):
                line = line.strip()
                if not line:
                    continue
                rec = json.loads(line)
                if rec.get("type") not in TYPES or not rec.get("name"):
                    raise SystemExit(f"{path}:{lineno}: bad record {line!r}")
                if "higher_is_better" in rec and (rec["type"] != "Metric" or not isinstance(
                        rec["higher_is_better"], bool)):
                    raise SystemExit(f"{path}:{lineno}: higher_is_better must be true/false, "
                                     f"on metrics only: {line!r}")
                lex.add_curated(rec)
                n[rec["type"]] += 1
    return n


# Papers-with-Code method collections whose members are trained networks/architectures.
MODEL_COLLECTION = re.compile(
    r"(Models|Transformers|Networks|Embeddings|Backbone Architectures|"
    r"Detectors|Chatbots|Parsers|Trackers)$"
)
# ...except these, which hold layers, blocks or procedures.
TECHNIQUE_COLLECTION_EXCEPTIONS = {
    "Feedforward Networks", "Twin Networks", "Position Embeddings", "Binary Neural Networks",
    "Gated Linear Networks", "Input Embedding Factorization", "Text Instance Representations",
}
# Generic or misleading PwC method names (lower-case), beyond generic.txt.
PWC_METHOD_BLOCK = {
    "dense connections", "linear layer", "convolution", "1x1 convolution", "softmax",
    "residual connection", "feedforward network", "position-wise feed-forward layer",
    "scaled dot-product attention", "multi-head attention", "transformer", "lstm", "gru",
    "autoencoder", "vae", "gan", "cnn", "rnn", "mlp", "max pooling", "average pooling",
    "global average pooling", "dropout", "relu", "sigmoid activation", "tanh activation",
    "batch normalization", "layer normalization", "weight decay", "sgd", "adam",
    "attention dropout", "label smoothing", "bpe", "wordpiece", "sentencepiece",
    "fixed factorized attention", "strided attention", "early stopping", "gelu",
    "kaiming initialization", "xavier initialization", "entropy regularization",
    "step decay", "linear warmup", "linear warmup with linear decay",
    "linear warmup with cosine annealing", "cosine annealing", "polynomial rate decay",
    "exponential decay", "inverse square root schedule", "random search", "grid search",
    "logistic regression", "linear regression", "k-means clustering", "pca", "svm",
    "random forest", "decision tree", "focal loss", "cycle consistency loss",
    "spatial attention module", "channel attention module", "local response normalization",
    "sliding window attention", "dilated sliding window attention", "global and sliding window attention",
    "absolute position encodings", "learned positional embeddings", "adaptive input representations",
    "concatenated skip connection", "skip connection", "graph convolutional networks",
    "graph attention network", "neural network", "deep belief network", "boltzmann machine",
    "restricted boltzmann machine", "memory network", "seq2seq", "sequence to sequence",
    "encoder-decoder", "one-shot", "scale", "shift", "sample", "prune", "tied weights",
    "weight tying", "gaussian process", "hard sigmoid", "soft", "concat", "content", "bridge",
    "hiera", "ensemble clustering", "mixture of logistic distributions",
    "mixture normalization", "model", "pixel", "gradient clipping",
}


def load_pwc_methods(lex: Lexicon, path: str) -> Counter:
    n = Counter()
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        methods = json.load(fh)
    methods.sort(key=lambda m: (-(m.get("num_papers") or 0), m.get("name") or ""))
    for m in methods:
        name = clean_name(m.get("name") or "")
        full = clean_name(m.get("full_name") or "")
        cols = [c.get("collection") or "" for c in (m.get("collections") or [])]
        if not name or name.lower() in PWC_METHOD_BLOCK or full.lower() in PWC_METHOD_BLOCK:
            lex.dropped[(SRC_PWC_METHODS, "blocklist")] += 1
            continue
        if re.fullmatch(r"(\d+D )?(CNN|RNN|MLP|GNN|LSTM|GRU|DNN)( \w+)?|[A-Z]{1,2}", name) or (
            re.fullmatch(r"[A-Z][a-z]+", name) and (m.get("num_papers") or 0) < 10
        ):
            lex.dropped[(SRC_PWC_METHODS, "generic-or-plain-word")] += 1
            continue
        model_votes = sum(1 for c in cols if MODEL_COLLECTION.search(c)
                          and c not in TECHNIQUE_COLLECTION_EXCEPTIONS)
        typ = "Model" if cols and model_votes * 2 >= len(cols) and model_votes else "Technique"
        aliases = [full] if full and norm(full) != norm(name) else []
        # a name that is just an acronym of nothing known and very rarely used is noise
        if (m.get("num_papers") or 0) < 1:
            lex.dropped[(SRC_PWC_METHODS, "unused")] += 1
            continue
        # prefer the readable full name as canonical when the name is a bare acronym?
        # No: PwC's "name" is what papers write (LoRA, BERT); full name becomes an alias.
        links = [(iri, {norm(name), norm(full)}) for iri in lpwc_method_iris(m)]
        if lex.add_raw(typ, name, SRC_PWC_METHODS, aliases, same_as=links):
            n[typ] += 1
    return n


LPWC = "https://linkedpaperswithcode.com/"
PWC_METHOD_URL = re.compile(r"https://paperswithcode\.com/method/([A-Za-z0-9][A-Za-z0-9._~-]*)")


def lpwc_method_iris(method: dict) -> list[str]:
    """The Linked Papers With Code IRI of a PwC method, from the slug of its ``url`` (none without one).

    >>> lpwc_method_iris({"url": "https://paperswithcode.com/method/autoencoder"})
    ['https://linkedpaperswithcode.com/method/autoencoder']
    >>> lpwc_method_iris({"url": None}), lpwc_method_iris({"url": "https://example.org/method/x"})
    ([], [])
    """
    m = PWC_METHOD_URL.fullmatch(method.get("url") or "")
    return [f"{LPWC}method/{m.group(1)}"] if m else []


TASK_BLOCK_WORDS = re.compile(
    r"\b(task \d|\d+ classes|\d+k\b|challenge|competition|track \d|subtask|shared task|"
    r"leaderboard|the|our|a|an|this|that|is|are|using|with|on|in|by|from|for|to|of the)\b",
    re.I,
)


TASK_HEAD = re.compile(
    r"(tion|sion|ing|ment|sis|search|control|transfer|answering|removal|retrieval|"
    r"reasoning|QA|detection|learning|synthesis|analysis|captioning|inpainting|"
    r"super-resolution|forecasting|translation|recognition|estimation|prediction|"
    r"segmentation|classification|generation|tracking|matching|parsing|tagging|"
    r"modeling|modelling|summarization|navigation|imputation|discovery|attack|attacks|"
    r"defense|reconstruction|completion|editing|retouching|enhancement|alignment|"
    r"verification|identification|counting|labeling|labelling|spotting|grounding|"
    r"re-identification|re-ranking|reranking|interpolation|animation|simplification|"
    r"disambiguation|compression|diarization|embedding|embeddings|localisation|"
    r"localization|extraction|resolution|correction|normalization|restoration|"
    r"denoising|deblurring|dehazing|deraining|colorization|SLAM|OCR|NER|ASR|TTS)$",
    re.I,
)


def task_ok(name: str) -> bool:
    if len(name.split()) > 6:
        return False
    # language-pair leaderboards ("Translation ell-fra") and benchmark subjects
    if re.match(r"^Translation [a-z_A-Z]+-[a-z_A-Z]+$", name):
        return False
    if not re.search(r"[a-z]{2}", name):
        return False  # all-caps codes, not problem names
    if "/" in name or re.search(r"\b(19|20)\d\d\b", name):
        return False  # "HeavyMakeup/Bias-conflicting", "TREC 2019 Passage Ranking"
    if not TASK_HEAD.search(name.split()[-1]):
        return False
    if re.match(r"^\d", name) and not re.match(r"^(2D|3D|4D|6D|6-DoF)\b", name):
        return False
    if re.search(r"\b(task \d|\d+ classes|\d+k\b|\(|\))", name, re.I):
        return False
    # whole sentences / headlines
    if re.search(r"\b(is|are|was|were|the|our|this|that|how|why|what|which)\b", name, re.I):
        return False
    return True


def dataset_ok(name: str) -> bool:
    if len(name.split()) > 5:
        return False
    if len(name) <= 3:
        return False  # "GD", "CS", "BB": abbreviations that mean many other things in prose
    if re.fullmatch(r"[A-Z][a-z]+", name):
        return False  # one capitalised word ("Shifts", "Hotel", "Letter") is ordinary prose

    if re.search(r"\b(f1|bleu|accuracy|score|results?|wer)$", name, re.I):
        return False  # leaderboard column leaked into a dataset name
    if len([w for w in name.split() if w[:1].islower() and w not in ("of", "and", "in", "the", "for")]) > 1:
        return False
    if re.fullmatch(r"[A-Z][a-z]+[ -][Dd]ataset", name) or "_" in name and name.islower():
        return False  # "Fingerprint Dataset", "abc_cc"
    if re.search(r"\b(dataset of|images of|collection of|photos of)\b", name, re.I):
        return False
    return True


METRIC_BLOCK = re.compile(
    r"^(overall|average|avg|mean|score|test|dev|val|all|open|binary|epochs?|params?|"
    r"parameters|time|speed|size|total|percentage correct|percentage error|error|"
    r"model entropy|in-domain|out-of-domain)$",
    re.I,
)
# Known metric tokens a raw metric string must contain (strict: junk-heavy columns).
METRIC_HINT = re.compile(
    r"(accuracy|acc\b|error|f1|f-score|f-measure|precision|recall|bleu|rouge|meteor|cider|"
    r"spice|perplexity|\bppl\b|iou|\bmap\b|\bap\b|auc|auroc|\bfid\b|psnr|ssim|lpips|\bwer\b|"
    r"\bcer\b|\bmae\b|\bmse\b|rmse|mape|ndcg|mrr|hits@|recall@|r@\d|\bem\b|exact match|"
    r"pass@|dice|pck|mota|idf1|hota|\bmota\b|\beer\b|\bmos\b|sdr|snr|pesq|stoi|flops|"
    r"\bfps\b|latency|throughput|spearman|pearson|kendall|correlation|kappa|crps|"
    r"bits per|\bbpc\b|\bbpd\b|\bnll\b|likelihood|\bpq\b|\bsq\b|\brq\b|chamfer|"
    r"success rate|return|\bspl\b|\bndcg\b|\bter\b|chrf|comet|bertscore|\becE\b|brier|"
    r"inception|kid\b|fvd\b|\bsmape\b|\bmase\b|\bmacs\b|\bmiou\b|\bmacc\b)",
    re.I,
)


def metric_ok(name: str) -> bool:
    if METRIC_BLOCK.match(name):
        return False
    if len(name.split()) > 4:
        return False
    if not METRIC_HINT.search(name):
        return False
    if re.search(r"^(avg|average|mean|overall|total|classification|unigram|entity|n-gram|\d|a-acc)"
                 r"|\b(ex|full|newswire)\b|^[A-Z]{2,}-(EM|F1)$", name, re.I):
        return False
    # dataset- or split-qualified variants ("ImageNet Top-5 Accuracy", "Test F1") are junk
    if re.search(r"\b(test|val|dev|train|validation|imagenet|coco|on|for|\d+-shot)\b",
                 name, re.I):
        return False
    return True


def split_list(cell: str) -> list[str]:
    return [clean_name(x) for x in (cell or "").split(";") if clean_name(x)]


def load_pwc_tasks(lex: Lexicon, src_dir: str) -> Counter:
    n = Counter()
    tdir = os.path.join(src_dir, "pwc-archive-tasks")
    detailed = os.path.join(tdir, "all_tasks_detailed.csv")
    metric_tasks: Counter = Counter()
    metric_form: dict[str, str] = {}
    dataset_tasks: Counter = Counter()
    dataset_form: dict[str, str] = {}
    if os.path.exists(detailed):
        with open(detailed, encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                task = clean_name(row.get("Task Name") or "")
                if task and task_ok(task) and lex.add_raw("Task", task, SRC_PWC_TASKS):
                    n["Task"] += 1
                for d in split_list(row.get("Common Datasets (Top 10)") or ""):
                    d = SPLIT_SUFFIX.sub("", d)
                    dataset_tasks[norm(d)] += 1
                    dataset_form.setdefault(norm(d), d)
                for m in sorted(set(split_list(row.get("SOTA Metrics") or ""))):
                    metric_tasks[norm(m)] += 1
                    metric_form.setdefault(norm(m), m)
    for k in sorted(dataset_form):
        d = dataset_form[k]
        if dataset_ok(d) and lex.add_raw("Dataset", d, SRC_PWC_TASKS, max_words=5):
            n["Dataset"] += 1
    for k in sorted(metric_form):
        m = metric_form[k]
        # a metric string must recur across tasks and look like a metric
        if metric_tasks[k] >= 2 and metric_ok(m) and lex.add_raw("Metric", m, SRC_PWC_TASKS,
                                                                  max_words=4):
            n["Metric"] += 1
    txt = os.path.join(tdir, "all_tasks.txt")
    if os.path.exists(txt):
        with open(txt, encoding="utf-8") as fh:
            for line in fh:
                t = clean_name(line)
                if t and task_ok(t) and lex.add_raw("Task", t, SRC_PWC_TASKS):
                    n["Task"] += 1
    return n


SOTA_DATASET_JUNK = re.compile(
    r"\b(bleu|wer|accuracy|percentage|error|score|scored|trained|when tested|reached|"
    r"prediction of|images|image recognition|comprehension test|en-\w\w|testclean|"
    r"testother|eval\d+|real images|abstract|pairs|subjects|handwritten)\b",
    re.I,
)


# eff.json (EFF "AI progress" list) holds aspirational problem areas ("Safe Exploration",
# "Automated Interrogation") and sentence-like dataset labels: too vague to use.
SOTA_SKIP_FILES = {"eff.json"}


def sota_dataset_ok(name: str) -> bool:
    """Leaderboard dataset labels: keep only what looks like a proper dataset name."""
    if not dataset_ok(name) or name.startswith("Atari 2600 "):
        return False
    if re.search(r"\b(comprehension|datasets?|corpus|challenge|results?|media)\b", name, re.I):
        return False
    if len([w for w in name.split() if w[:1].islower()]) > 1:
        return False
    # an upper-case letter inside a token, or a digit: "SciTail", "ATIS", "SemEval 2018"
    return any(re.search(r"\d|.[A-Z]", w) for w in name.split())


def walk_tasks(tasks):
    for t in tasks:
        yield t
        yield from walk_tasks(t.get("subtasks") or [])


def load_sota(lex: Lexicon, src_dir: str) -> Counter:
    n = Counter()
    sdir = os.path.join(src_dir, "sota-extractor-tasks")
    synonyms: dict[str, list[str]] = {}
    syn_path = os.path.join(sdir, "synonyms.csv")
    if os.path.exists(syn_path):
        with open(syn_path, encoding="utf-8", newline="") as fh:
            rd = csv.reader(fh, skipinitialspace=True)
            next(rd, None)
            for row in rd:
                if len(row) >= 2:
                    synonyms.setdefault(norm(row[0]), []).append(clean_name(row[1]))
    model_counts: Counter = Counter()
    model_form: dict[str, str] = {}
    for path in sorted(glob.glob(os.path.join(sdir, "*.json"))):
        if os.path.basename(path) in SOTA_SKIP_FILES:
            continue
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
        for t in walk_tasks(data):
            task = clean_name(t.get("task") or "")
            if task and task_ok(task):
                syn = synonyms.get(norm(task), []) + [clean_name(s) for s in t.get("synonyms") or []]
                if lex.add_raw("Task", task, SRC_SOTA, syn):
                    n["Task"] += 1
            for d in t.get("datasets") or []:
                dn = clean_name(d.get("dataset") or "")
                # "CoQA (Conversational Question Answering Challenge)" -> name + alias
                mm = re.match(r"^(.*?)\s*\(([^()]+)\)$", dn)
                aliases = []
                if mm:
                    dn, inner = mm.group(1).strip(), mm.group(2).strip()
                    if len(inner.split()) >= 2 and not re.search(r"\d+k? training|pairs|per-", inner):
                        aliases = [inner]
                    elif re.search(r"\d+k? training|per-", inner):
                        aliases = []
                dn = SPLIT_SUFFIX.sub("", dn)
                if dn and not SOTA_DATASET_JUNK.search(dn) and sota_dataset_ok(dn):
                    if lex.add_raw("Dataset", dn, SRC_SOTA, aliases, max_words=5):
                        n["Dataset"] += 1
                sota = d.get("sota") or {}
                for m in sota.get("metrics") or []:
                    m = clean_name(m)
                    if metric_ok(m) and lex.add_raw("Metric", m, SRC_SOTA, max_words=4):
                        n["Metric"] += 1
                for row in sota.get("rows") or []:
                    mn = clean_name(row.get("model_name") or "")
                    model_counts[mn] += 1
                    model_form.setdefault(mn, mn)
    # Leaderboard row labels are mostly junk ("BiDAF + Self Attention + ELMo (single model)").
    # Accept only a single token with internal capitals or digits (XLNet, BiDAF, ELMo),
    # no spaces, seen in at least two rows.
    for mn in sorted(model_counts):
        if model_counts[mn] < 2:
            continue
        if not re.fullmatch(r"[A-Za-z][A-Za-z0-9\-.]{2,24}", mn):
            continue
        if not re.search(r"[A-Z].*[A-Z]|\d|[a-z][A-Z]", mn[1:] if mn[0].isupper() else mn):
            continue
        if mn.isupper() and not re.search(r"\d", mn):
            continue  # all-caps words (GATE, SEAL, SIGN) are too often plain words
        if re.search(r"\d{3,}|^[a-z]+(-[a-z0-9]+)+$", mn):
            continue  # sizes (ResNet-1001) and run labels (words-lvt5k-1sent)
        if ROW_LABEL_WORDS.search(mn):
            continue
        if lex.add_raw("Model", mn, SRC_SOTA):
            n["Model"] += 1
    return n


# ---------------------------------------------------------------------------------------


def build(sources_dir: str | None, quiet: bool = False):
    generic = load_generic(os.path.join(DATA, "generic.txt"))
    lex = Lexicon(generic)
    per_source_added: dict[str, Counter] = {SRC_CURATED: load_curated(lex)}
    if sources_dir and os.path.isdir(sources_dir):
        p = os.path.join(sources_dir, "pwc-methods-2022.json.gz")
        if os.path.exists(p):
            per_source_added[SRC_PWC_METHODS] = load_pwc_methods(lex, p)
        per_source_added[SRC_PWC_TASKS] = load_pwc_tasks(lex, sources_dir)
        per_source_added[SRC_SOTA] = load_sota(lex, sources_dir)
    elif not quiet:
        print(f"warning: sources dir {sources_dir!r} missing; curated entries only",
              file=sys.stderr)
    return lex.finish(), lex


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("sources", nargs="?", default=DEFAULT_SOURCES,
                    help="directory of raw lexicon sources (default: ../shared/lexicon-sources)")
    ap.add_argument("--out", default=os.path.join(DATA, "lexicon.jsonl"))
    ap.add_argument("--quiet", action="store_true")
    args = ap.parse_args(argv)
    records, lex = build(args.sources, args.quiet)
    buf = io.StringIO()
    for r in records:
        buf.write(json.dumps(r, ensure_ascii=False, sort_keys=False) + "\n")
    tmp = args.out + ".tmp"
    with open(tmp, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(buf.getvalue())
    os.replace(tmp, args.out)
    if args.quiet:
        return 0
    by_type = Counter(r["type"] for r in records)
    by_source = Counter()
    by_type_source = Counter()
    for r in records:
        for s in r["source"].split(";"):
            by_source[s] += 1
            by_type_source[(r["type"], s)] += 1
    print(f"wrote {len(records)} entries to {os.path.relpath(args.out, os.getcwd())}")
    print("per type:")
    for t in TYPES:
        detail = ", ".join(f"{s}={by_type_source[(t, s)]}" for s in SOURCE_ORDER
                           if by_type_source[(t, s)])
        print(f"  {t:<10} {by_type[t]:>5}   ({detail})")
    print("per source (an entry counts once for each of its sources):")
    for s in SOURCE_ORDER:
        print(f"  {s:<18} {by_source[s]:>5}")
    print(f"  {'case_sensitive':<18} {sum(r['case_sensitive'] for r in records):>5}")
    print(f"  {'same_as':<18} {sum(bool(r.get('same_as')) for r in records):>5}   "
          f"(entries with a Linked Papers With Code link)")
    print("metric direction (higher_is_better) from:")
    for path in ("curated", "name rule", "unknown"):
        print(f"  {path:<18} {lex.direction_paths[path]:>5}")
    print("dropped raw names:")
    for (s, why), c in sorted(lex.dropped.items()):
        print(f"  {s:<18} {why:<40} {c:>5}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
