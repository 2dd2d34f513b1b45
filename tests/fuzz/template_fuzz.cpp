// Subject/key templates ("devices/${data.ID}"): compiling any text never
// crashes; a compiled template renders against any payload, and a template
// without fields renders as its literal text.
//   input: template ---- payload
#include <string>

#include "fuzz_input.hpp"
#include "message/envelope.hpp"
#include "routing/message_context.hpp"
#include "routing/template.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sluice;
  auto parts = fuzz::split_parts(fuzz::as_text(data, size), 2);
  std::string error;
  auto compiled = routing::Template::compile(parts[0], error);
  if (!compiled) {
    FUZZ_CHECK(!error.empty());
    return 0;
  }
  message::Envelope message;
  message.payload = std::string(parts[1]);
  message.subject = "fuzz.subject";
  message.key = "fuzz-key";
  std::string out;
  auto result = compiled->render(routing::MessageContext{message, "source", "node"}, out);
  if (compiled->is_literal()) {
    FUZZ_CHECK(out == compiled->literal_text());
    FUZZ_CHECK(result.complete());
  }
  return 0;
}
