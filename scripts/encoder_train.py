"""The fine-tuning loop: length-bucketed batches, AdamW with linear warm-up and decay, resumable checkpoints."""

from __future__ import annotations

import math
import random
import sys
import time
from pathlib import Path

import torch
import torch.nn.functional as F

from encoder_data import LABEL_INDEX, Pair
from encoder_model import CrossEncoder, collate, encode_pairs

CHECKPOINT = "checkpoint.pt"


def batches_for_epoch(lengths: list[int], batch_size: int, seed: int, epoch: int) -> list[list[int]]:
    """Indices in batches of similar length (little padding), the batch order shuffled per epoch."""
    rng = random.Random(seed * 1000 + epoch)
    order = list(range(len(lengths)))
    rng.shuffle(order)  # ties in length broken at random, differently each epoch
    order.sort(key=lambda i: lengths[i])
    batches = [order[i:i + batch_size] for i in range(0, len(order), batch_size)]
    rng.shuffle(batches)
    return batches


def schedule(step: int, total: int, warmup: int) -> float:
    """Learning-rate factor: linear warm-up to 1, then linear decay to 0 at `total`."""
    if step < warmup:
        return (step + 1) / warmup
    return max(0.0, (total - step) / max(1, total - warmup))


def trainable(model: CrossEncoder) -> dict[str, torch.Tensor]:
    return {name: p for name, p in model.named_parameters() if p.requires_grad}


def time_schedule(step: int, now: float, started: float, deadline: float, warmup: int) -> float:
    """Learning-rate factor when training runs to a wall-clock deadline: step warm-up, then linear decay in time."""
    if step < warmup:
        return (step + 1) / warmup
    return max(0.0, (deadline - now) / max(1.0, deadline - started))


def train(model: CrossEncoder, tokenizer, pairs: list[Pair], out: Path, *, steps: int, batch_size: int, lr: float,
          head_lr: float, seed: int, checkpoint_every: int, log=print, deadline: float | None = None) -> None:
    """Train the model in place for `steps` batches (or until the epoch-time `deadline`, when given: the
    learning rate then decays with the time left, so a shared, busy CPU still ends with a decayed model),
    resuming from out/checkpoint.pt when it exists."""
    torch.manual_seed(seed)
    model.freeze_embeddings()
    encoded = encode_pairs(tokenizer, [p.claim for p in pairs], [p.sentence for p in pairs])
    labels = torch.tensor([LABEL_INDEX[p.label] for p in pairs])
    lengths = [len(ids) for ids, _ in encoded]
    head = [p for n, p in model.named_parameters() if n.startswith("head.")]
    body = [p for n, p in model.named_parameters() if p.requires_grad and not n.startswith("head.")]
    optimizer = torch.optim.AdamW([{"params": body, "lr": lr}, {"params": head, "lr": head_lr}], weight_decay=0.01)
    base_lrs = [lr, head_lr]
    warmup = max(1, min(steps // 16, 50))
    step = 0
    state: dict = {}
    path = out / CHECKPOINT
    if path.exists():
        state = torch.load(path, weights_only=False)
        model.load_state_dict(state["model"], strict=False)
        optimizer.load_state_dict(state["optimizer"])
        step = state["step"]
        log(f"resumed from {path} at step {step}/{steps}")
    per_epoch = math.ceil(len(pairs) / batch_size)
    model.train()
    started, done_pairs, running = time.time(), 0, 0.0
    first = state.get("started") or started
    while (step < steps) if deadline is None else (time.time() < deadline):
        epoch, index = divmod(step, per_epoch)
        batch = batches_for_epoch(lengths, batch_size, seed, epoch)[index]
        ids, types, mask = collate([encoded[i] for i in batch])
        factor = (schedule(step, steps, warmup) if deadline is None
                  else time_schedule(step, time.time(), first, deadline, warmup))
        for group, base in zip(optimizer.param_groups, base_lrs):
            group["lr"] = base * factor
        loss = F.cross_entropy(model(ids, types, mask), labels[batch])
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(body + head, 1.0)
        optimizer.step()
        step += 1
        done_pairs += len(batch)
        running = loss.item() if running == 0.0 else 0.98 * running + 0.02 * loss.item()
        if step % 20 == 0 or step == steps:
            rate = done_pairs / (time.time() - started)
            eta = (steps - step) * batch_size / rate if deadline is None else deadline - time.time()
            log(f"step {step}/{steps} epoch {epoch} loss {running:.4f} lr {factor * lr:.2e} "
                f"{rate:.1f} pairs/s eta {eta / 60:.1f} min")
            sys.stdout.flush()
        if step % checkpoint_every == 0 or step == steps:
            save_checkpoint(model, optimizer, step, path, first)
            log(f"checkpoint at step {step}: {path}")
    if deadline is not None:
        save_checkpoint(model, optimizer, step, path, first)
        log(f"deadline reached: final checkpoint at step {step} ({step * batch_size} pairs seen)")
    model.eval()


def save_checkpoint(model: CrossEncoder, optimizer, step: int, path: Path, started: float = 0.0) -> None:
    """Trainable weights, optimizer and step, written atomically (a kill mid-write leaves the last one intact)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    torch.save({"model": {n: p.detach().clone() for n, p in trainable(model).items()},
                "optimizer": optimizer.state_dict(), "step": step, "started": started}, partial)
    partial.replace(path)


def load_checkpoint(model: CrossEncoder, path: Path) -> int:
    """Put a checkpoint's trained weights into the model; returns its step."""
    state = torch.load(path, weights_only=False)
    model.load_state_dict(state["model"], strict=False)
    model.eval()
    return state["step"]


@torch.no_grad()
def predict(model: CrossEncoder, tokenizer, claims: list[str], sentences: list[str], batch_size: int = 64) -> torch.Tensor:
    """Probabilities [n, 3] in LABELS order, batched by length."""
    model.eval()
    encoded = encode_pairs(tokenizer, claims, sentences)
    order = sorted(range(len(encoded)), key=lambda i: len(encoded[i][0]))
    out = torch.zeros((len(encoded), 3))
    for start in range(0, len(order), batch_size):
        chunk = order[start:start + batch_size]
        ids, types, mask = collate([encoded[i] for i in chunk])
        out[chunk] = torch.softmax(model(ids, types, mask), dim=-1)
    return out
