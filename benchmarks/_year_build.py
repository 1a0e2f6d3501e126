"""`publisher build ARGS...` with its publish step timed (benchmarks/year.py runs this
as its child process): after the CLI's own output it prints one line

    publish step: 12.3 s (records 0.4 s, feeds 3.1 s, site 8.0 s)

publish step: stages.publish_show (artwork, feeds, site and its search index, the
feeds' validation); records: reading the published show's records; feeds and
site: their writers inside the publish step.
"""

from __future__ import annotations

import sys

from _measure import Stages

from publisher import feed, site
from publisher.cli import main
from publisher.pipeline import records, stages


def run(args: list[str]) -> int:
    timer = Stages()
    timer.wrap(stages, "publish_show", "publish")
    timer.wrap(records, "load_all", "records")
    timer.wrap(feed, "write_feeds", "feeds")
    timer.wrap(site, "build_site", "site")
    status = main(args)
    seconds: dict[str, float] = {}
    for label, start, end, *_ in timer.log:
        seconds[label] = seconds.get(label, 0.0) + end - start
    parts = ", ".join(f"{k} {seconds.get(k, 0.0):.2f} s" for k in ("records", "feeds", "site"))
    print(f"publish step: {seconds.get('publish', 0.0):.2f} s ({parts})", flush=True)
    return status


if __name__ == "__main__":
    sys.exit(run(sys.argv[1:]))
