#!/bin/sh
# 40-chaos.sh -- the short form of scripts/chaos: 4 clients upload and
# download random files for 30 s while workers are SIGKILLed, the master
# gets HUP and connections are cut; then every OK'd upload must be there,
# byte-exact, with no partial visible, no zombie, the pool within bounds
# and the master no bigger.  The long form: scripts/chaos --minutes 10.
cd "$(dirname "$0")/../.." || exit 1
exec scripts/chaos --tap --seconds "${TFS_CHAOS_SECONDS:-30}" --clients 4
