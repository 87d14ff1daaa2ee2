#!/bin/sh
# fips-relay %post ($1: 1 first installation, 2 or more upgrade). Like %systemd_post: systemd
# learns the unit; on first installation the host's preset policy decides whether it is enabled
# (RHEL's and SUSE's default: disabled; the operator runs systemctl enable --now fips-relay after
# editing /etc/fips-relay/fips-relay.conf). An upgrade restarts the service in %postun.
if [ -d /run/systemd/system ]; then
  systemctl daemon-reload >/dev/null 2>&1 || true
fi
if [ "$1" -eq 1 ] && command -v systemctl >/dev/null 2>&1; then
  systemctl preset fips-relay.service >/dev/null 2>&1 || true
fi
exit 0
