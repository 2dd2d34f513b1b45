# sluice %post: directories the service writes (systemd also creates them
# through StateDirectory/LogsDirectory) and the local plugin drop-in directory.
for dir in /var/lib/sluice /var/log/sluice; do
  [ -d "$dir" ] || install -d -o sluice -g sluice -m 0750 "$dir"
done
[ -e /usr/local/lib/sluice/plugins ] || mkdir -p /usr/local/lib/sluice/plugins 2>/dev/null || true
if [ -d /run/systemd/system ]; then
  systemctl daemon-reload >/dev/null 2>&1 || true
fi
exit 0
