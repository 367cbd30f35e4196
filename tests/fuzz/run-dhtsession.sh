#!/bin/sh
# Replays the DHT session fuzz corpus (each file once; under --enable-fuzzing,
# libFuzzer also runs files given by name once and exits).
. "${top_srcdir:-.}/tests/lib.sh"
exec "$top_builddir/tests/fuzz/fuzz-dhtsession" "$top_srcdir"/tests/fuzz/corpus-dhtsession/*
