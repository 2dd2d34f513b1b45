// Names the plugin's own threads ("nats-confirm", ...) so that top, perf and
// gdb show what each one is.
#pragma once

#include <pthread.h>

namespace sluice::nats {

// Linux limits names to 15 characters.
inline void name_this_thread(const char* name) { pthread_setname_np(pthread_self(), name); }

}  // namespace sluice::nats
