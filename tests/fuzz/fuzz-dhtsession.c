/* Fuzz target for a live DHT instance fed authenticated packets: see
 * fuzz-dhtmsg.c, which holds both DHT targets. */
#define FUZZ_DHT_SESSION 1
#include "fuzz-dhtmsg.c"
