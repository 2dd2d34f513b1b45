// Compares what an output received with what the test file expects, and
// says what differs in lines a person reads as a diff: `-` what was
// expected, `+` what arrived.
#pragma once

#include <string>
#include <vector>

#include "route_test/stand_in_connectors.hpp"
#include "route_test/test_file.hpp"

namespace sluice::route_test {

// Why `actual` does not meet `expected` ("payload: expected {...}, got
// {...}"); empty when it does.
std::vector<std::string> mismatches(const MessageExpectation& expected,
                                    const ReceivedMessage& actual);

// The diff of one output: empty when it received what was expected.
std::vector<std::string> check_output(const OutputExpectation& expected,
                                      const std::vector<ReceivedMessage>& received);

// One line for a received message: subject, key, headers and payload.
std::string describe(const ReceivedMessage& message);
// One line for an expectation: what it checks.
std::string describe(const MessageExpectation& expectation);

// JSON equality as a person means it: member order does not matter, and
// numbers compare by value (1 equals 1.0).
bool same_json(const boost::json::value& a, const boost::json::value& b);

}  // namespace sluice::route_test
