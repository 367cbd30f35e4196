#!/bin/sh
# Replays the join string fuzz corpus, each file once (a libFuzzer build
# given files by name also runs each once and exits).
. "${top_srcdir:-.}/tests/lib.sh"
exec "$top_builddir/tests/fuzz/fuzz-joinstr" "$top_srcdir"/tests/fuzz/corpus-joinstr/*
