#include "generate_settings.hpp"

namespace sluice::generate {

const SettingsSpec& generate_settings() {
  static const SettingsSpec spec{
      Setting::integer("count").def("0").min(0).doc(
          "How many messages to generate; 0 = forever. The source finishes after the last."),
      Setting::number("rate").def("0").min(0).doc(
          "Messages per second; 0 = as fast as the pipeline accepts them."),
      Setting::string("payload")
          .def("\"{\\\"n\\\":${counter},\\\"ts\\\":${now_ms}}\"")
          .doc("Payload template (see the template language)."),
      Setting::string("subject").def("\"generate\"").doc("Subject template."),
      Setting::string("key").def("\"\"").doc("Key template; empty = messages have no key."),
      Setting::object("vars").def("{}").doc(
          "Named templates evaluated once per message, in order, before payload, key and "
          "subject; reference them as `${name}` so that all three agree."),
      Setting::integer("seed").def("0").min(0).doc(
          "Seed of the random placeholders; 0 = a different seed every run."),
  };
  return spec;
}

}  // namespace sluice::generate
