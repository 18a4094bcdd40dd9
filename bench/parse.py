"""How well the plan parser reads published plans: recall and precision against answer keys.

    .venv/bin/python bench/parse.py            # every text in bench/plans/ and the 2024 source
    .venv/bin/python bench/parse.py --misses   # also list what was missed and what was invented

A key target is found when a proposal (sub-targets included) has its kind, value × scale,
upper bound × scale and unit; a milestone when a milestone proposal's wording shares most of
its words (the longest common run covers at least 60 % of the shorter of the two wordings).
Each proposal answers one key target at most. Recall: key targets found / key targets;
precision: proposals that answer a key target / proposals.

The development set (bench/plans) is what the rules were worked out on; the held-out texts
(bench/plans/heldout) were written after, to estimate how the rules do on a text they have
not seen. Keys: bench/plans/[heldout/]<name>.json next to <name>.txt — {"targets": [{"kind", "value", "upper",
"unit", "scale", "wording"}]} (value and upper as written, scale 1, 10000 or 100000000).
The 2024 source's key is the seed (fixtures/plan-2024.json) restricted to the part of the plan
the text lists: the seven actions (A…) and the ten livelihood projects (P…); the five lines of
the 政治生态 paragraph (S4.…) are prose, not a list, and are left out.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from goals.proposals.parser import propose  # noqa: E402

PLANS = ROOT / "bench" / "plans"
SOURCE_2024 = ROOT / "fixtures" / "source" / "plan-2024.md"
SEED = ROOT / "fixtures" / "plan-2024.json"


@dataclass
class Score:
    name: str
    keys: int
    proposals: int
    found: int  # key targets found
    right: int  # proposals that answer a key target
    misses: list
    extras: list

    @property
    def recall(self) -> float:
        return self.found / self.keys if self.keys else 1.0

    @property
    def precision(self) -> float:
        return self.right / self.proposals if self.proposals else 1.0


def _amount(value, scale) -> Decimal | None:
    if value is None:
        return None
    return Decimal(str(value)) * int(scale or 1)


def _common_run(a: str, b: str) -> int:
    best = 0
    for i in range(len(a)):
        for j in range(i + best + 1, len(a) + 1):
            if a[i:j] in b:
                best = j - i
            else:
                break
    return best


def similar(a: str, b: str) -> bool:
    a, b = a.replace(" ", ""), b.replace(" ", "")
    if not a or not b:
        return False
    return _common_run(a, b) >= 0.6 * min(len(a), len(b))


def answers(key: dict, proposal: dict) -> bool:
    if key["kind"] != proposal["kind"]:
        return False
    if key["kind"] == "milestone":
        return similar(key.get("wording", ""), proposal["wording"])
    return (
        _amount(key.get("value"), key.get("scale")) == _amount(proposal["target_value"], proposal["scale"])
        and _amount(key.get("upper"), key.get("scale"))
        == _amount(proposal["target_upper"], proposal["scale"])
        and (key.get("unit") or "") == (proposal["unit"] or "")
    )


def flatten(plan) -> list[dict]:
    from goals.proposals.parser import proposal_dict

    return [proposal_dict(t) | {"sub_targets": []} for t in plan.all_targets()]


def score(name: str, text: str, keys: list[dict]) -> Score:
    proposals = flatten(propose(text))
    used: set[int] = set()
    misses = []
    # numbers first (they match exactly), then milestones
    for key in sorted(keys, key=lambda k: k["kind"] == "milestone"):
        hit = next((i for i, p in enumerate(proposals) if i not in used and answers(key, p)), None)
        if hit is None:
            misses.append(key)
        else:
            used.add(hit)
    extras = [p for i, p in enumerate(proposals) if i not in used]
    return Score(name, len(keys), len(proposals), len(keys) - len(misses), len(used), misses, extras)


def seed_key(groups=("A", "P")) -> list[dict]:
    rows = json.loads(SEED.read_text(encoding="utf-8"))
    return [
        {
            "kind": r["fields"]["kind"],
            "value": r["fields"]["target_value"],
            "upper": r["fields"]["target_upper"],
            "unit": r["fields"]["unit"],
            "scale": r["fields"]["scale"],
            "wording": r["fields"]["wording"],
        }
        for r in rows
        if r["model"] == "goals.target" and r["fields"]["group"][1].startswith(groups)
    ]


def texts() -> list[tuple[str, str, list[dict]]]:
    found = []
    if SOURCE_2024.is_file():
        found.append(("plan-2024 (source)", SOURCE_2024.read_text(encoding="utf-8"), seed_key()))
    for folder, prefix in ((PLANS, ""), (PLANS / "heldout", "heldout/")):
        for path in sorted(folder.glob("*.txt")):
            key = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
            found.append((prefix + path.stem, path.read_text(encoding="utf-8"), key["targets"]))
    return found


def main(argv: list[str]) -> int:
    show = "--misses" in argv
    scores = [score(name, text, keys) for name, text, keys in texts()]
    print(f"{'text':42} {'key':>4} {'prop':>5} {'recall':>7} {'precision':>9}")
    for s in scores:
        print(f"{s.name:42} {s.keys:4} {s.proposals:5} {s.recall:7.1%} {s.precision:9.1%}")
        if show:
            for key in s.misses:
                print(
                    "    missed:",
                    key.get("kind"),
                    key.get("value"),
                    key.get("unit"),
                    key.get("wording", "")[:40],
                )
            for p in s.extras:
                print("    extra: ", p["kind"], p["target_value"], p["unit"], p["wording"][:40])
    dev = [s for s in scores if not s.name.endswith("(source)") and not s.name.startswith("heldout/")]
    held = [s for s in scores if s.name.startswith("heldout/")]
    for label, chosen in (
        ("dev set (bench/plans)", dev),
        ("held out (bench/plans/heldout)", held),
        ("overall", scores),
    ):
        keys, found = sum(s.keys for s in chosen), sum(s.found for s in chosen)
        props, right = sum(s.proposals for s in chosen), sum(s.right for s in chosen)
        recall = found / keys if keys else 1.0
        precision = right / props if props else 1.0
        print(f"{label:42} {keys:4} {props:5} {recall:7.1%} {precision:9.1%}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
