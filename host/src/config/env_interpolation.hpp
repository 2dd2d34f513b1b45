// ${VAR} and ${VAR:-default} expansion of config scalars from the environment.
//
// Rules (what users read in the docs):
//   ${NAME}          the variable's value; an error when NAME is unset.
//   ${NAME:-text}    the value, or `text` when NAME is unset or empty; `text`
//                    may itself contain ${...} (${A:-${B:-x}}).
//   $${              a literal "${" (the escape: `$${NAME}` gives "${NAME}").
// NAME is [A-Za-z_][A-Za-z0-9_]*. Anything else inside ${...}, such as
// ${data.DEVICE_ID}, is not an environment reference: it is kept verbatim for
// the route engine's message templates. A template on a plain identifier
// (${key}, ${subject}) must be escaped as $${key}.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "config/config.hpp"

namespace sluice::config {

// Returns `text` expanded. Each problem (unset variable, unterminated "${")
// is appended to `problems` as a message without location; the caller knows
// where the scalar came from.
std::string interpolate_env(std::string_view text, const EnvLookup& getenv,
                            std::vector<std::string>& problems);

}  // namespace sluice::config
