# sluice %pre: the service runs as the `sluice` system user.
getent group sluice >/dev/null || groupadd -r sluice
getent passwd sluice >/dev/null || \
  useradd -r -g sluice -d /var/lib/sluice -M -s /sbin/nologin -c "sluice event router" sluice
exit 0
