"""Step 2 of the summarizer: batched greedy decoding, cheaper than `model.generate` on a CPU.

Two savings, same greedy choices:
- **the shared start is read once.** Every rewrite prompt starts with the same instruction; its keys and
  values are computed for one row and copied to the batch (`DynamicCache.batch_repeat_interleave`), and
  the prompts' own tokens follow it (pads sit between the two, masked).
- **finished rows leave the batch.** `generate` keeps every row until the longest one ends (64 rewrites of
  ~17 tokens, a few of 40); here a row leaves the batch and the KV cache (`batch_select_indices`) as soon
  as it emits an end token.
The logits processors are transformers' own (`RepetitionPenaltyLogitsProcessor`,
`NoRepeatNGramLogitsProcessor`), given the tokens in the layout `generate` gives them (left pads, prompt,
generated tokens), so the texts match `generate`'s up to float rounding.
"""

from __future__ import annotations


def greedy_decode(model, prompts: list[list[int]], *, pad_token_id: int, eos_token_id, max_new_tokens: int,
                  repetition_penalty: float = 1.0, no_repeat_ngram_size: int = 0) -> list[list[int]]:
    """The generated token ids (end token excluded) for each prompt (a list of token ids), as one batch."""
    import inspect

    import torch
    from transformers import DynamicCache, LogitsProcessorList
    from transformers.generation.logits_process import NoRepeatNGramLogitsProcessor, RepetitionPenaltyLogitsProcessor

    if not prompts:
        return []
    eos = set(eos_token_id if isinstance(eos_token_id, (list, tuple)) else [eos_token_id])
    procs = LogitsProcessorList()
    if repetition_penalty != 1.0:
        procs.append(RepetitionPenaltyLogitsProcessor(repetition_penalty))
    if no_repeat_ngram_size:
        procs.append(NoRepeatNGramLogitsProcessor(no_repeat_ngram_size))
    device = model.device
    shared = common_prefix(prompts)
    own = [p[len(shared):] for p in prompts]
    width = max(len(p) for p in own)
    cache = DynamicCache(config=model.config)  # the config gives each layer its kind (sliding window or full)
    # transformers >= 5.24 names the forward argument `cache` (`past_key_values` before)
    cache_arg = "cache" if "cache" in inspect.signature(model.forward).parameters else "past_key_values"
    if shared:
        model(input_ids=torch.tensor([shared], device=device), use_cache=True, logits_to_keep=1, **{cache_arg: cache})
        cache.batch_repeat_interleave(len(prompts))
    # what the model reads: [shared][pads][own tokens]; what the processors see: [pads][shared][own tokens]
    mask = torch.tensor([[1] * len(shared) + [0] * (width - len(p)) + [1] * len(p) for p in own], device=device)
    step = torch.tensor([[pad_token_id] * (width - len(p)) + p for p in own], device=device)
    seqs = torch.tensor([[pad_token_id] * (width - len(p)) + shared + p for p in own], device=device)
    position = (mask.cumsum(-1) - 1).clamp(min=0)[:, len(shared):]
    rows = list(range(len(prompts)))  # the prompt index of each row still in the batch
    out: list[list[int]] = [[] for _ in prompts]
    for t in range(max_new_tokens):
        logits = model(input_ids=step, attention_mask=mask, position_ids=position, use_cache=True, logits_to_keep=1,
                       **{cache_arg: cache}).logits[:, -1, :].float()
        nxt = procs(seqs, logits).argmax(-1)
        keep = []
        for j, tok in enumerate(nxt.tolist()):
            if tok not in eos:
                out[rows[j]].append(tok)
                keep.append(j)
        if not keep or t == max_new_tokens - 1:
            break
        if len(keep) < len(rows):  # finished rows leave the batch and the cache
            idx = torch.tensor(keep, device=device)
            cache.batch_select_indices(idx)
            seqs, mask, nxt = seqs[idx], mask[idx], nxt[idx]
            rows = [rows[j] for j in keep]
        seqs = torch.cat([seqs, nxt[:, None]], dim=1)
        mask = torch.cat([mask, mask.new_ones(len(rows), 1)], dim=1)
        step, position = nxt[:, None], mask.sum(-1, keepdim=True) - 1
    return out


def common_prefix(prompts: list[list[int]]) -> list[int]:
    """The token ids every prompt starts with, leaving each prompt at least one token of its own."""
    n = min(len(p) for p in prompts) - 1
    k = 0
    while k < n and all(p[k] == prompts[0][k] for p in prompts):
        k += 1
    return prompts[0][:k]
