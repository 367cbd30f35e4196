#!/bin/sh
# tunnel-pmtu.sh over an IPv6 outer path ("packet too big" delivered and
# dropped, MTU 1400 and 1280).
PMTU_FAMILY=6 exec sh "${top_srcdir:-.}/tests/netns/tunnel-pmtu.sh"
