// The reconnect settings every broker plugin takes (reconnect_wait_ms,
// reconnect_wait_max_ms, reconnect_jitter), declared once: the fields, their
// declarations for a plugin's settings table, the check that the bound is
// not below the first delay, and the backoff they describe.
#pragma once

#include <sluice/common/backoff.hpp>
#include <sluice/settings_table.hpp>
#include <string>
#include <vector>

namespace sluice::common {

struct ReconnectSettings {
  int64_t wait_ms = 200;
  int64_t wait_max_ms = 10000;
  double jitter = 0.2;

  BackoffPolicy backoff() const { return BackoffPolicy::around(wait_ms, wait_max_ms, jitter); }
};

// The three declarations, filling `Options::*group`; `defaults` are the
// plugin's own (NATS reconnects sooner than the others, say).
template <class Options>
SettingsGroup<Options> reconnect_settings(ReconnectSettings Options::*group,
                                          ReconnectSettings defaults = {}) {
  using R = ReconnectSettings;
  return std::vector<BoundSetting<Options>>{
      field(group, &R::wait_ms, "reconnect_wait_ms")
          .def(defaults.wait_ms)
          .min(1)
          .doc("first delay before reconnecting; doubles after each failed attempt"),
      field(group, &R::wait_max_ms, "reconnect_wait_max_ms")
          .def(defaults.wait_max_ms)
          .min(1)
          .doc("upper bound of the reconnect delay"),
      field(group, &R::jitter, "reconnect_jitter")
          .def(defaults.jitter)
          .min(0)
          .max(1)
          .doc("random share of each reconnect delay (0.2 = +/-20%)"),
  };
}

inline void check_reconnect_settings(const ReconnectSettings& s, std::vector<std::string>& errors) {
  if (s.wait_max_ms < s.wait_ms)
    errors.push_back("setting 'reconnect_wait_max_ms' must be >= 'reconnect_wait_ms'");
}

}  // namespace sluice::common
