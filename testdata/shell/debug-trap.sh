# A DEBUG trap of the user's own, which the bash hook must keep running.
_traps_seen=0
trap '_traps_seen=$((_traps_seen + 1))' DEBUG
