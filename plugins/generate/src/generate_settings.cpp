#include "generate_settings.hpp"

namespace sluice::generate {

const SettingsTable<GenerateOptions>& generate_settings() {
  using O = GenerateOptions;
  static const SettingsTable<O> table{
      field(&O::count, "count")
          .def(0)
          .min(0)
          .doc("How many messages to generate; 0 = forever. The source finishes after the last."),
      field(&O::rate, "rate")
          .def(0)
          .min(0)
          .doc("Messages per second; 0 = as fast as the pipeline accepts them."),
      field(&O::payload, "payload")
          .def("{\"n\":${counter},\"ts\":${now_ms}}")
          .doc("Payload template (see the template language)."),
      field(&O::subject, "subject").def("generate").doc("Subject template."),
      field(&O::key, "key").def("").doc("Key template; empty = messages have no key."),
      field(&O::vars, "vars")
          .def(boost::json::object())
          .doc("Named templates evaluated once per message, in order, before payload, key and "
               "subject; reference them as `${name}` so that all three agree."),
      field(&O::seed, "seed")
          .def(0)
          .min(0)
          .doc("Seed of the random placeholders; 0 = a different seed every run."),
  };
  return table;
}

}  // namespace sluice::generate
