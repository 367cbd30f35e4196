#!/bin/sh
# Replays the TCP framing fuzz corpus, each file once (a libFuzzer build
# given files by name also runs each once and exits).
. "${top_srcdir:-.}/tests/lib.sh"
exec "$top_builddir/tests/fuzz/fuzz-tcpframe" "$top_srcdir"/tests/fuzz/corpus-tcpframe/*
