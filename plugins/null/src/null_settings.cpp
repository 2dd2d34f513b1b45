#include "null_settings.hpp"

namespace sluice::null_sink {

const SettingsSpec& null_settings() {
  static const SettingsSpec spec{
      Setting::integer("report_interval_ms")
          .def("0")
          .min(0)
          .doc("Log the running totals this often (0 = only when the connector is destroyed)."),
  };
  return spec;
}

}  // namespace sluice::null_sink
