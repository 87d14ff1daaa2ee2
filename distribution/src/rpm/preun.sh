#!/bin/sh
# fips-relay %preun ($1: 0 erase, 1 or more upgrade). On erase, like %systemd_preun: stop the
# service (SIGTERM drains exchanges in flight) and remove its enablement. On upgrade nothing: the
# old files keep serving until %postun restarts the service on the new ones.
if [ "$1" -eq 0 ] && command -v systemctl >/dev/null 2>&1; then
  systemctl --no-reload disable fips-relay.service >/dev/null 2>&1 || true
  if [ -d /run/systemd/system ]; then
    systemctl stop fips-relay.service || true
  fi
fi
exit 0
