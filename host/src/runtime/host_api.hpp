// The table of host functions every plugin instance receives (the C side
// of sluice_host_api), bound to the runtime through the sluice_host handle.
#pragma once

#include <sluice/plugin.h>

namespace sluice::runtime {
const sluice_host_api* host_api();
}
