"""Pure functions over entity names: matching keys, size variants, head words.

These are shared by extraction (typing unseen names), resolution (one node per
real thing) and evaluation (the guideline's matching rule).

>>> match_key("Layer-Norm")
'layernorm'
>>> strip_size("BERT-base"), strip_size("LLaMA-2-7B"), strip_size("ResNet-50"), strip_size("GPT-3")
('BERT', 'LLaMA-2', 'ResNet', 'GPT-3')
>>> head_type("Recursive Generalization Transformer"), head_type("Lean Attention"), head_type("SwishGLU")
('Model', 'Technique', 'Technique')
"""
from __future__ import annotations

import re
from functools import lru_cache

_NON_ALNUM = re.compile(r"[^0-9a-z]+")
_URL_PREFIX = re.compile(r"^https?://(www\.)?")


@lru_cache(maxsize=1 << 18)
def match_key(name: str) -> str:
    """Lower-case, alphanumerics only, ``http(s)://www.`` dropped (the guideline's rule)."""
    return _NON_ALNUM.sub("", _URL_PREFIX.sub("", name.strip().lower()))


@lru_cache(maxsize=1 << 18)
def singular_key(name: str) -> str:
    """:func:`match_key` of the name with its last word made singular.

    >>> singular_key("Scaling Laws"), singular_key("residual connections"), singular_key("Loss")
    ('scalinglaw', 'residualconnection', 'loss')
    """
    words = name.strip().split()
    if words:
        last = words[-1]
        low = last.lower()
        if len(low) > 3 and low.endswith("ies"):
            last = last[:-3] + "y"
        elif len(low) > 3 and low.endswith("s") and not low.endswith(("ss", "us", "is", "xs")) \
                and last[-2:-1].islower():
            last = last[:-1]
        words[-1] = last
    return match_key(" ".join(words))


SIZE = re.compile(
    r"(?:[-\s_/]+(?:base|large|small|tiny|mini|medium|huge|giant|xl|xxl|x-large|xlarge|"
    r"lite|nano|micro|b/\d+|l/\d+|h/\d+|s/\d+|t/\d+|[bslht]/?\d+|"
    r"\d+(?:\.\d+)?[bmk]|\d+x\d+[bmk]?|uncased|cased|chat|instruct|v\d+(?:\.\d+)?-\d+[bmk]))+$",
    re.IGNORECASE,
)
"""A trailing size or checkpoint variant: -base, -large, -7B, -B/16, -XXL, …"""

DEPTH_FAMILIES = ("resnet", "resnext", "vgg", "densenet", "wrn", "wideresnet", "efficientnet-b",
                  "regnet", "mobilenet", "convnext", "swin", "deit", "vit")
"""Families whose ``-NN`` suffix is a depth or size (ResNet-50 is ResNet)."""


def strip_size(name: str) -> str:
    """The model family behind a size variant; other names unchanged."""
    base = SIZE.sub("", name).strip()
    if not base:
        return name
    m = re.match(r"^(.*?[A-Za-z])[-\s]?\d+$", base)
    if m and m.group(1).lower() in {f.rstrip("-") for f in DEPTH_FAMILIES}:
        return m.group(1)
    return base


HEADS = {
    "Model": {"transformer", "transformers", "network", "networks", "net", "model", "models", "former",
              "bert", "gpt", "encoder", "decoder", "autoencoder", "autoencoders", "architecture",
              "backbone", "agent", "llm", "gan", "vae", "mixer", "mamba", "machine", "perceptron",
              "classifier", "detector", "segmenter", "vit", "unet", "u-net", "lstm", "rnn", "cnn",
              "planner", "generator"},
    "Technique": {"attention", "normalization", "normalisation", "norm", "learning", "training",
                  "tuning", "finetuning", "fine-tuning", "pretraining", "pre-training", "distillation",
                  "quantization", "quantisation", "pruning", "optimization", "optimisation",
                  "regularization", "augmentation", "prompting", "decoding", "search", "sampling",
                  "dropout", "embedding", "embeddings", "encoding", "activation", "activations", "law",
                  "loss", "algorithm", "method", "descent", "propagation", "alignment", "adaptation",
                  "convolution", "pooling", "gating", "caching", "cache", "mechanism", "scheme",
                  "strategy", "layer", "unit", "connection", "connections", "module", "operator",
                  "estimator", "optimizer", "optimiser", "regression", "filter", "modulation",
                  "initialization", "parallelism", "compression", "approximation", "routing",
                  "tokenization", "tokenizer", "masking", "scaling", "trick", "objective", "prompt",
                  "decomposition", "factorization", "inference", "sparsification", "merging", "eviction",
                  "recycling", "splatting", "steering", "guidance"},
    "Task": {"recognition", "classification", "segmentation", "detection", "translation", "generation",
             "forecasting", "answering", "summarization", "summarisation", "retrieval", "parsing",
             "tagging", "estimation", "prediction", "completion", "synthesis", "captioning",
             "tracking", "understanding", "modeling", "modelling", "extraction", "labeling",
             "labelling", "reconstruction", "localization", "matching", "editing", "inpainting",
             "denoising", "restoration", "grounding", "super-resolution", "navigation", "manipulation",
             "planning", "reasoning", "verification", "identification", "imputation"},
    "Dataset": {"dataset", "datasets", "benchmark", "benchmarks", "corpus", "corpora", "treebank",
                "suite", "arena", "collection", "bank"},
    "Metric": {"score", "accuracy", "error", "rate", "ratio", "distance", "precision", "recall",
               "perplexity", "divergence", "similarity", "latency", "throughput", "speedup", "flops",
               "auc", "bleu", "rouge"},
}
"""Head words (the last word of a name) that say which type a name is."""

_HEAD_OF = {word: type_ for type_, words in HEADS.items() for word in words}


def head_type(name: str) -> str | None:
    """The type a multi-word name's head (last) word implies, if any."""
    words = re.split(r"[\s]+", name.strip())
    if not words:
        return None
    last = words[-1].lower()
    if last in _HEAD_OF:
        return _HEAD_OF[last]
    for part in reversed(re.split(r"-", last)):
        if part in _HEAD_OF and part not in {"net", "law"}:
            return _HEAD_OF[part]
    if re.search(r"(former|net|bert|gpt|gan|vit)$", last):
        return "Model"
    if re.search(r"(glu|[a-z]lu|norm|attn|attention|drop|prompt|loss)$", last) and len(words) == 1:
        return "Technique"  # SwishGLU, PReLU, RMSNorm, FlashAttn, DropPath-style names
    return None
