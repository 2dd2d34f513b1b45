// The process's descriptor budget: `sluice run` holds broker connections,
// files and admin clients at once, and the usual soft limit (1024) is far
// below what the hard limit allows.
#pragma once

namespace sluice::cli {

// Raises the soft RLIMIT_NOFILE to the hard limit, as servers commonly do
// (Go's runtime does it for every program). Best effort: a failure leaves
// the limit as it was.
void raise_open_file_limit();

}  // namespace sluice::cli
