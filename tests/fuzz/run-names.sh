#!/bin/sh
# Replays the DNS names fuzz corpus, each file once (a libFuzzer build
# given files by name also runs each once and exits).
. "${top_srcdir:-.}/tests/lib.sh"
exec "$top_builddir/tests/fuzz/fuzz-names" "$top_srcdir"/tests/fuzz/corpus-names/*
