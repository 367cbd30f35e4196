#!/bin/sh
# Replays the DHT fuzz corpus (each file once; under --enable-fuzzing,
# libFuzzer also runs files given by name once and exits).
. "${top_srcdir:-.}/tests/lib.sh"
exec "$top_builddir/tests/fuzz/fuzz-dhtmsg" "$top_srcdir"/tests/fuzz/corpus-dhtmsg/*
