#!/bin/sh
# Replays the tunnel message fuzz corpus (each file once; under
# --enable-fuzzing, libFuzzer also runs files given by name once and exits).
. "${top_srcdir:-.}/tests/lib.sh"
exec "$top_builddir/tests/fuzz/fuzz-wire" "$top_srcdir"/tests/fuzz/corpus-wire/*
