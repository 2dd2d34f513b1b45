// The generate plugin's settings, declared once: the table drives validation,
// the JSON Schema in the descriptor and the README's settings table, and
// fills GenerateOptions.
#pragma once

#include <boost/json.hpp>
#include <cstdint>
#include <sluice/settings_table.hpp>
#include <string>

namespace sluice::generate {

struct GenerateOptions {
  uint64_t count = 0;  // 0: forever
  double rate = 0;     // per second; 0: as fast as accepted
  std::string payload;
  std::string subject;
  std::string key;           // empty: messages have no key
  boost::json::object vars;  // name -> template, in order
  uint64_t seed = 0;         // 0: a different seed every run
};

const SettingsTable<GenerateOptions>& generate_settings();

}  // namespace sluice::generate
