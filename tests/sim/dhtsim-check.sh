#!/bin/sh
# The seeded 2,000-node DHT simulation with real crypto and asserted
# thresholds (the 10,000-node benchmark is in the README, "DHT simulator").
# Deterministic: a given build always gives the same numbers.
. "${top_srcdir:-.}/tests/lib.sh"
exec "$top_builddir/tests/sim/dhtsim" --nodes 2000 --lookups 1000 --seed 1 \
	--workbit 2 --nat 0.3 --loss 0.01 --lat-min 20 --lat-max 80 \
	--churn 0.3 \
	--expect-success 0.995 --expect-rounds 4 --expect-p99-ms 2000 \
	--expect-churn-success 0.99 --expect-routing-kib 64 \
	--expect-idle-pps 1.0 --expect-relay 0.98
