"""A scripted annotator process for crash and concurrency tests.

It goes through the same storage calls the UI's session makes (open_version, save_item) and
prints ``saved <event-count>`` only after each decision's transaction has committed, the moment
the UI would show it as saved. Usage:

    python -m tests.reliability.decider DB_URL DATASET ANNOTATOR N_DECISIONS [SEED]
"""

from __future__ import annotations

import random
import sys

from annotator.db.engine import open_database
from annotator.db.repo import Repository


def main(argv: list[str]) -> int:
    url, dataset, annotator, n = argv[0], argv[1], argv[2], int(argv[3])
    rng = random.Random(int(argv[4]) if len(argv) > 4 else 0)
    repo = Repository(open_database(url))
    doc_ids = repo.document_ids(dataset)
    versions = [repo.open_version(doc_id, annotator) for doc_id in doc_ids]
    print("ready", flush=True)
    for i in range(n):
        state = versions[rng.randrange(len(versions))]
        quote = state.quotes[rng.randrange(len(state.quotes))]
        item = {**quote.to_dict(), "status": rng.choice(["accepted", "rejected", "edited"]),
                "kind": rng.choice(["direct", "indirect", "mixed"])}
        repo.save_item(state.version_id, "quotes", quote.id, item, "decide")
        print(f"saved {annotator} {state.version_id} {quote.id} {item['status']} {item['kind']} {i}", flush=True)
    print("finished", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
