# sluice %preun: on erase ($1 = 0, not upgrade) stop and disable the service.
if [ "$1" -eq 0 ] && [ -d /run/systemd/system ]; then
  systemctl --no-reload disable --now sluice.service >/dev/null 2>&1 || true
fi
exit 0
