#!/bin/sh
# fips-relay %postun ($1: 0 erase, 1 or more upgrade). Like %systemd_postun_with_restart: systemd
# forgets or re-reads the unit, and an upgrade restarts a running service on the new files. On
# erase the native library cache goes too (bc-fips rewrites it at every start). The configuration
# stays if it was edited (rpm keeps it as fips-relay.conf.rpmsave), and so do the user and group.
if [ -d /run/systemd/system ]; then
  systemctl daemon-reload >/dev/null 2>&1 || true
fi
if [ "$1" -ge 1 ]; then
  if [ -d /run/systemd/system ]; then
    systemctl try-restart fips-relay.service ||
      echo "fips-relay: the service did not restart; see: systemctl status fips-relay; journalctl -u fips-relay" >&2
  fi
else
  rm -rf /var/cache/fips-relay
fi
exit 0
