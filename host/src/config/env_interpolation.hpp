// ${VAR} and ${VAR:-default} expansion of config scalars from the environment.
//
// Rules (what users read in the docs):
//   ${NAME}          the variable's value; an error when NAME is unset.
//   ${NAME:-text}    the value, or `text` when NAME is unset or empty; `text`
//                    may itself contain ${...} (${A:-${B:-x}}).
//   $${              a literal "${" (the escape: `$${NAME}` gives "${NAME}").
// Route targets (${key}, ${data.DEVICE_ID}) and plugins (the generator's
// ${device}, ${randint:0:9}) have templates in the same syntax, so only these
// are environment references: ${NAME} with an upper-case NAME
// ([A-Z_][A-Z0-9_]*, as environment variables are by convention) and
// ${name:-default} with any identifier. Everything else is kept verbatim. A
// template on an upper-case name (${DEVICE_ID}) is written $${DEVICE_ID}.
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
