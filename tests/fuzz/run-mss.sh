#!/bin/sh
# Replays the TCP MSS clamp fuzz corpus, each file once (a libFuzzer build
# given files by name also runs each once and exits).
. "${top_srcdir:-.}/tests/lib.sh"
exec "$top_builddir/tests/fuzz/fuzz-mss" "$top_srcdir"/tests/fuzz/corpus-mss/*
