// GET /tap: the live messages of a running instance, one JSON line each,
// for `sluice tap` and the status page.
//
//   /tap?target=CONNECTOR[:SUBJECT-PATTERN]|ROUTE&where=JSON&limit=N
//
// No target: everything in and out. A connector: what it receives (as a
// source) and what is sent to it (as a sink), optionally only subjects
// matching the pattern (in the connector's own syntax). A route: what it
// sends. `where` is a route filter (the same grammar as a route's where).
// After `limit` messages the response ends. A {"dropped":N} line says N
// messages went by that the ring could not hold for this reader.
#pragma once

#include "admin/http_server.hpp"

namespace sluice::runtime {
class Runtime;
}

namespace sluice::admin {

StreamHandler make_tap_handler(runtime::Runtime& runtime);

}  // namespace sluice::admin
