"""Fine-tune the MiniLM cross-encoder on every labelled set in ../shared/data and export the committed model file.

    .venv/bin/python scripts/train_encoder.py data    [--shared ../shared/data]      # pairs -> .cache/encoder/
    .venv/bin/python scripts/train_encoder.py train   [--pairs-budget N] [--limit N]  # resumable, logs pairs/s, ETA
    .venv/bin/python scripts/train_encoder.py export  [--out pipeline/data/stance_encoder.safetensors]
    .venv/bin/python scripts/train_encoder.py measure [--model FILE]                  # held-out figures, decision rule
    .venv/bin/python scripts/train_encoder.py all                                     # the four in order

Needs the `train` extra (torch) and the base package installed with --no-deps (see README). Held out
from training: Check-COVID dev, the Evidence Inference validation split, and 10% of the train sets'
claim groups (scripts/encoder_data.py says how). `measure` fits the abstract-level decision rule on the
held-out train groups and writes it into the model file's metadata.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import torch

import encoder_data
import encoder_export
import encoder_measure
from encoder_model import base_files, build_model, load_tokenizer
from encoder_train import CHECKPOINT, load_checkpoint, train

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SHARED = ROOT.parent / "shared" / "data"
DEFAULT_WORK = ROOT / ".cache" / "encoder"
DEFAULT_MODEL = ROOT / "pipeline" / "data" / "stance_encoder.safetensors"


def cmd_data(args) -> None:
    if not args.shared.is_dir():
        raise SystemExit(f"error: no shared data at {args.shared}; pass --shared DIR")
    pairs, items = encoder_data.build(args.shared, seed=args.seed)
    encoder_data.write_jsonl(args.work / "pairs.jsonl", pairs)
    encoder_data.write_jsonl(args.work / "abstracts.jsonl", items)
    print(f"{len(pairs)} pairs -> {args.work / 'pairs.jsonl'}; {len(items)} abstract items -> {args.work / 'abstracts.jsonl'}")
    print(f"{'dataset':20} {'split':15} {'support':>8} {'contradict':>10} {'nothing':>8}")
    for (dataset, split), count in sorted(encoder_data.counts(pairs).items()):
        print(f"{dataset:20} {split:15} {count['support']:8} {count['contradict']:10} {count['nothing']:8}")


def _pairs(args) -> list[encoder_data.Pair]:
    path = args.work / "pairs.jsonl"
    if not path.exists():
        raise SystemExit(f"error: {path} does not exist; run `train_encoder.py data` first")
    return encoder_data.read_pairs(path)


def cmd_train(args) -> None:
    torch.set_num_threads(args.threads)
    pairs = [p for p in _pairs(args) if p.split == "train"]
    if args.max_per_set:
        pairs = encoder_data.cap_per_set(pairs, args.max_per_set, args.seed)
    if args.limit:
        pairs = pairs[::max(1, len(pairs) // args.limit)][:args.limit]
    files = base_files()
    model, _ = build_model(files, seed=args.seed)
    tokenizer = load_tokenizer(files.tokenizer)
    steps = args.steps or max(1, -(-args.pairs_budget // args.batch_size))
    deadline = _epoch_of(args.deadline) if args.deadline else None
    if deadline:
        print(f"training until {args.deadline} UTC (the step count below is then only a cap on warm-up)")
    print(f"training on {len(pairs)} pairs: {steps} steps of {args.batch_size} "
          f"({steps * args.batch_size / len(pairs):.2f} epochs), lr {args.lr}, head lr {args.head_lr}, seed {args.seed}")
    started = time.time()
    train(model, tokenizer, pairs, args.work, steps=steps, batch_size=args.batch_size, lr=args.lr,
          head_lr=args.head_lr, seed=args.seed, checkpoint_every=args.checkpoint_every,
          log=lambda line: print(line, flush=True), deadline=deadline)
    print(f"trained in {(time.time() - started) / 60:.1f} min")


def _epoch_of(hhmm: str) -> float:
    """Seconds since the epoch of the next HH:MM UTC (today, or tomorrow when already past)."""
    now = datetime.now(timezone.utc)
    hour, minute = map(int, hhmm.split(":"))
    when = now.replace(hour=hour, minute=minute, second=0, microsecond=0)
    return (when if when > now else when + timedelta(days=1)).timestamp()


def _trained(args):
    files = base_files()
    model, base = build_model(files, seed=args.seed)
    step = load_checkpoint(model, args.work / CHECKPOINT)
    return files, model, base, step


def cmd_export(args) -> None:
    torch.set_num_threads(args.threads)
    files, model, base, step = _trained(args)
    decision = json.loads(args.decision.read_text()) if args.decision and args.decision.exists() else None
    encoder_export.export(model, base, files, args.out, decision=decision)
    size = args.out.stat().st_size
    print(f"exported step {step} -> {args.out} ({size / 1e6:.2f} MB)")
    pairs = [p for p in _pairs(args) if p.split != "train"]
    sample = pairs[::max(1, len(pairs) // args.agreement_sample)][:args.agreement_sample]
    agreement = encoder_export.agreement(model, args.out, files, sample)
    print(f"dequantised vs torch model: same label on {agreement:.4f} of {len(sample)} held-out pairs")


def cmd_measure(args) -> None:
    torch.set_num_threads(args.threads)
    files = base_files()
    model = encoder_export.load_exported(args.out, files)
    tokenizer = load_tokenizer(files.tokenizer)
    pairs = [p for p in _pairs(args) if p.split != "train"]
    items = [i for i in encoder_data.read_items(args.work / "abstracts.jsonl") if i.split != "train"]
    pairs_per_part, items_per_part = (args.limit, max(1, args.limit // 10)) if args.limit else (args.pairs_per_part, args.items_per_part)
    report = encoder_measure.measure(model, tokenizer, pairs, items, pairs_per_part=pairs_per_part,
                                     items_per_part=items_per_part)
    print(encoder_measure.render(report))
    args.decision.parent.mkdir(parents=True, exist_ok=True)
    args.decision.write_text(json.dumps(report["decision"], indent=1))
    encoder_export.set_decision(args.out, report["decision"])
    print(f"decision rule -> {args.out} metadata: {json.dumps(report['decision'])}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=("data", "train", "export", "measure", "all"))
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED)
    parser.add_argument("--work", type=Path, default=DEFAULT_WORK, help="pairs, checkpoints, log (default .cache/encoder)")
    parser.add_argument("--out", type=Path, default=DEFAULT_MODEL)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--lr", type=float, default=5e-5)
    parser.add_argument("--head-lr", type=float, default=5e-4)
    parser.add_argument("--pairs-budget", type=int, default=60000, help="pairs seen in training (sets the step count)")
    parser.add_argument("--steps", type=int, default=0, help="steps, overriding --pairs-budget (smoke runs)")
    parser.add_argument("--deadline", default="", help="HH:MM UTC: train until then, lr decaying with time left")
    parser.add_argument("--max-per-set", type=int, default=0, help="train pairs kept per dataset (0: all)")
    parser.add_argument("--limit", type=int, default=0, help="train: use this many pairs; measure: this many pairs (a tenth as many abstracts) per set (smoke runs)")
    parser.add_argument("--checkpoint-every", type=int, default=250)
    parser.add_argument("--pairs-per-part", type=int, default=encoder_measure.PAIRS_PER_PART,
                        help="measure: held-out pairs scored per dataset and split")
    parser.add_argument("--items-per-part", type=int, default=encoder_measure.ITEMS_PER_PART,
                        help="measure: held-out abstracts scored per dataset and split")
    parser.add_argument("--agreement-sample", type=int, default=1000)
    args = parser.parse_args(argv)
    args.decision = args.work / "decision.json"
    commands = ["data", "train", "export", "measure"] if args.command == "all" else [args.command]
    for command in commands:
        {"data": cmd_data, "train": cmd_train, "export": cmd_export, "measure": cmd_measure}[command](args)
        sys.stdout.flush()


if __name__ == "__main__":
    main()
