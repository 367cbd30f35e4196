# mesh as a peer of the side-by-side VPN benchmark (../shared/bench/peers.sh):
#
#   PEERS_EXTRA=scripts/bench-peer-mesh.sh ../shared/bench/peers.sh baseline mesh nebula
#
# Sourced by peers.sh (bash). Uses $MESH, else build/mesh of this checkout,
# else mesh from $PATH. Both ends run `mesh up -f` under peers.sh's spawn so
# that their CPU time is measured and they are stopped by PID.
peer_mesh_up() {
	local here bin d=$PEER_DIR side
	here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
	bin=${MESH:-$here/../build/mesh}
	[ -x "$bin" ] || bin=$(command -v mesh) || { echo "mesh not built" >&2; return 1; }
	mkdir -m 700 "$d/run"
	for side in a b; do
		(umask 077; "$bin" genkey workbit 0 >"$d/$side.sk") || return 1
	done
	{
		echo "name bench"
		echo "subnet ${OVER_A%.*}.0/$PFX"
		echo "workbit 0"
		echo "trust a $OVER_A $("$bin" pubkey <"$d/a.sk") $UNDER_A"
		echo "trust b $OVER_B $("$bin" pubkey <"$d/b.sk") $UNDER_B"
	} >"$d/bench.net"
	chmod 644 "$d/bench.net"	# mesh up refuses a group-writable one
	# A private control socket directory: no clash with running daemons.
	spawn "$NS_B" mesh-b env MESH_RUNDIR="$d/run" "$bin" up "$d/bench.net" \
	    private-key "$d/b.sk" interface meshb -f
	spawn "$NS_A" mesh-a env MESH_RUNDIR="$d/run" "$bin" up "$d/bench.net" \
	    private-key "$d/a.sk" interface mesha -f
	TARGET=$OVER_B
	DESC="$("$bin" --version), MTU 1420, one thread per end"
}
