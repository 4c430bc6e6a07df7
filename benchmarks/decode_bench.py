"""Decoder benchmark: newsml's batched greedy decoder against `model.generate`, same prompts, same batches.

    python -m benchmarks.decode_bench --data-dir ../shared/data --stories 48

The prompts are the shipped summarizer's rewrite prompts for the first N CNN validation stories (~4 per
story), length-sorted into batches of `--batch-size` prompts, as `Summarizer.generate` makes them. Both
decoders run greedy with the shipped generation settings; reports seconds, prompts/s and how many texts are
identical. Writes <--out>/decode-<device>-<date>.json; with the default --out (benchmarks/results) also
training/results/summarizer_decode.json, which the summarizer card reads (a trial run elsewhere leaves it alone).
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import json
import sys
import time
from pathlib import Path

from evaluation.datasets import DATA_DIR_HELP, data_root

HERE = Path(__file__).parent


def generate_reference(model, tok, prompts: list[list[int]], generation: dict) -> list[str]:
    """The texts `model.generate` gives for one left-padded batch of token-id prompts, greedy with `generation`
    (max_new_tokens, repetition_penalty, no_repeat_ngram_size): what newsml's decoder must reproduce."""
    from transformers import GenerationConfig

    gc = GenerationConfig(do_sample=False, num_beams=1, pad_token_id=tok.pad_token_id, eos_token_id=tok.eos_token_id,
                          **generation)
    batch = tok.pad({"input_ids": prompts}, return_tensors="pt").to(model.device)
    gen = model.generate(**batch, generation_config=gc)
    return [tok.decode(x[batch["input_ids"].shape[1] :], skip_special_tokens=True) for x in gen]


def run(data_dir: Path, stories: int, batch_size: int, device: str) -> dict:
    import torch

    from newsml.article import Article
    from newsml.summarize import Summarizer

    rows = [json.loads(x) for x in gzip.open(data_dir / "cnn_dailymail" / "validation.jsonl.gz", "rt", encoding="utf-8")]
    s = Summarizer.from_pretrained(device=device)
    model, tok = s.load()
    prompts = [q for r in rows[:stories] for q in s.article_prompts(Article(text=r["article"]))]
    enc = [tok(p, add_special_tokens=False)["input_ids"] for p in prompts]
    order = sorted(range(len(enc)), key=lambda i: len(enc[i]))
    batches = [order[i : i + batch_size] for i in range(0, len(order), batch_size)]
    g = s.config["generation"]

    def with_generate():
        out = {}
        with torch.inference_mode():
            for idx in batches:
                out |= dict(zip(idx, generate_reference(model, tok, [enc[i] for i in idx], g)))
        return out

    def with_greedy_decode():  # the shipped path: Summarizer.generate sorts and batches the same way
        return dict(enumerate(s.generate(prompts, batch_size=batch_size)))

    res, texts = {}, {}
    s.generate(prompts[:2], batch_size=2)  # warm-up
    for name, fn in (("transformers_generate", with_generate), ("newsml_greedy_decode", with_greedy_decode)):
        t0 = time.perf_counter()
        texts[name] = fn()
        secs = time.perf_counter() - t0
        res[name] = {"seconds": round(secs, 2), "prompts_per_s": round(len(enc) / secs, 2),
                     "stories_per_s": round(stories / secs, 3)}
    same = sum(texts["transformers_generate"][i] == texts["newsml_greedy_decode"][i] for i in range(len(enc)))
    return {**res, "speedup": round(res["transformers_generate"]["seconds"] / res["newsml_greedy_decode"]["seconds"], 2),
            "identical_texts": same, "prompts": len(enc), "stories": stories, "batch_size": batch_size,
            "generation": g, "device": str(model.device)}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data-dir", default=None, help=DATA_DIR_HELP)
    ap.add_argument("--stories", type=int, default=48)
    ap.add_argument("--batch-size", type=int, default=64, help="prompts per batch (the summarizer's batch 16 x 4)")
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--out", default=str(HERE / "results"))
    args = ap.parse_args(argv)
    args.data_dir = data_root(args.data_dir, need=["cnn_dailymail"])
    from benchmarks.run import hardware

    r = run(Path(args.data_dir), args.stories, args.batch_size, args.device)
    r |= {"hardware": hardware(args.device), "date": dt.date.today().isoformat(),
          "command": "python -m benchmarks.decode_bench " + " ".join(argv if argv is not None else sys.argv[1:])}
    out = Path(args.out) / f"decode-{args.device.split(':')[0]}-{r['date']}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(r, indent=2))
    if Path(args.out).resolve() == (HERE / "results").resolve():  # the committed run: the card's source
        (HERE.parent / "training" / "results" / "summarizer_decode.json").write_text(json.dumps(r, indent=2))
    print(json.dumps(r, indent=2))


if __name__ == "__main__":
    main()
