"""The relevance harness: judged queries over the seeds, known-item queries over the motions, and
the same queries on the peers, scored with success@k, MRR@10 and nDCG@10 (docs/relevance.md)."""
