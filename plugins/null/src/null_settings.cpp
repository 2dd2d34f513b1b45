#include "null_settings.hpp"

namespace sluice::null_sink {

const SettingsTable<NullOptions>& null_settings() {
  static const SettingsTable<NullOptions> table{
      field(&NullOptions::report_interval_ms, "report_interval_ms")
          .def(0)
          .min(0)
          .doc("Log the running totals this often (0 = only when the connector is destroyed)."),
  };
  return table;
}

}  // namespace sluice::null_sink
