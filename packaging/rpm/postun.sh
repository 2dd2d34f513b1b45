# sluice %postun: restart a running service after an upgrade. On erase, RPM
# has no purge: %config files that were edited stay as .rpmsave, and state,
# logs and the `sluice` user stay too (Fedora's policy for system users).
if [ -d /run/systemd/system ]; then
  systemctl daemon-reload >/dev/null 2>&1 || true
  if [ "$1" -ge 1 ]; then
    systemctl try-restart sluice.service >/dev/null 2>&1 || true
  fi
fi
if [ "$1" -eq 0 ]; then
  rmdir /usr/local/lib/sluice/plugins /usr/local/lib/sluice 2>/dev/null || true
fi
exit 0
