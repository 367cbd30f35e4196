#!/bin/sh
# Replays the offload (GRO, TSO, checksum, ICMP) fuzz corpus, each file once (a libFuzzer build
# given files by name also runs each once and exits).
. "${top_srcdir:-.}/tests/lib.sh"
exec "$top_builddir/tests/fuzz/fuzz-offload" "$top_srcdir"/tests/fuzz/corpus-offload/*
