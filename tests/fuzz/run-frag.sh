#!/bin/sh
# Replays the FRAG reassembly fuzz corpus, each file once (a libFuzzer
# build given files by name also runs each once and exits).
. "${top_srcdir:-.}/tests/lib.sh"
exec "$top_builddir/tests/fuzz/fuzz-frag" "$top_srcdir"/tests/fuzz/corpus-frag/*
