// Numbered JSON lines for crash tests: an input whose every line is a JSON
// object carrying its number, and the check that an output made from it is
// valid JSON lines holding every number at least once. Tests that include it
// link Boost.JSON (through sluice::sdk).
#pragma once

#include <boost/json.hpp>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "support/files.hpp"

namespace sluice::test {

// `count` lines like {"data":{"DEVICE_ID":"0000000007","n":7,...}}, about
// 200 bytes each.
inline std::string numbered_json_lines(size_t count) {
  std::string out;
  char line[256];
  for (size_t n = 0; n < count; ++n) {
    int size = std::snprintf(line, sizeof line,
                             "{\"data\":{\"DEVICE_ID\":\"%010zu\",\"n\":%zu,\"LATITUDE\":52.%06zu,"
                             "\"LONGITUDE\":13.%06zu,\"STATUS\":\"moving\",\"NOTE\":\"%s\"}}\n",
                             n * 7919 % 10000000000, n, n % 1000000, (n * 31) % 1000000,
                             "some padding so that a line is about two hundred bytes long");
    out.append(line, static_cast<size_t>(size));
  }
  return out;
}

struct JsonLinesCheck {
  std::string failure;  // "" when every line parsed and every number was found
  size_t lines = 0;
  size_t duplicates = 0;
};

// Every line of `path` must parse as JSON; `number_of` finds the input
// line's number in a parsed line; every number below `count` must appear.
inline JsonLinesCheck check_numbered_json_lines(
    const std::filesystem::path& path, size_t count,
    const std::function<int64_t(const boost::json::value&)>& number_of) {
  JsonLinesCheck check;
  std::vector<int> seen(count, 0);
  for (const auto& line : read_lines(path)) {
    ++check.lines;
    boost::system::error_code ec;
    boost::json::value v = boost::json::parse(line, ec);
    if (ec) {
      check.failure = "line " + std::to_string(check.lines) + " is not JSON (" + ec.message() +
                      "): " + line.substr(0, 300);
      return check;
    }
    int64_t n = -1;
    try {
      n = number_of(v);
    } catch (const std::exception&) {  // not the expected shape: reported below
    }
    if (n < 0 || static_cast<size_t>(n) >= count) {
      check.failure = "line " + std::to_string(check.lines) + " has no input number: " + line;
      return check;
    }
    if (seen[static_cast<size_t>(n)]++ > 0) ++check.duplicates;
  }
  for (size_t n = 0; n < count; ++n) {
    if (seen[n] == 0) {
      check.failure = "input line " + std::to_string(n) + " is missing";
      return check;
    }
  }
  return check;
}

}  // namespace sluice::test
