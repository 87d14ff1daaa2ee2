#!/bin/sh
# fips-relay %pre: the system user and group exist before the files are laid down, as
# /etc/fips-relay and its configuration belong to group fips-relay. Kept on erase (the RPM way: a
# later package must not inherit files owned by a reused id).
if ! getent group fips-relay >/dev/null; then
  groupadd -r fips-relay
fi
if ! getent passwd fips-relay >/dev/null; then
  useradd -r -g fips-relay -M -d /nonexistent -s /sbin/nologin -c "fips-relay" fips-relay
fi
exit 0
