// The TLS settings every broker plugin takes, declared once: the fields, the
// `tls: {ca, cert, key, verify}` mapping's table (which also documents it in
// the plugins' READMEs), and the checks `sluice check` makes of it (keys and
// values, files that exist, `cert` and `key` together).
#pragma once

#include <boost/json.hpp>
#include <filesystem>
#include <string>
#include <system_error>
#include <vector>

#include "sluice/settings_table.hpp"

namespace sluice {

struct TlsSettings {
  bool enabled = false;  // set by the plugin: a TLS URL scheme, or any file given
  std::string ca_file;
  std::string cert_file;
  std::string key_file;
  bool verify = true;
};

// The `tls:` mapping's keys.
inline const SettingsTable<TlsSettings>& tls_settings_table() {
  using O = TlsSettings;
  static const SettingsTable<O> table{
      field(&O::ca_file, "ca").def("").doc("CA certificate file (PEM) to verify the server"),
      field(&O::cert_file, "cert").def("").doc("client certificate file (PEM), with `key`"),
      field(&O::key_file, "key").def("").doc("client private key file (PEM), with `cert`"),
      field(&O::verify, "verify")
          .def(true)
          .doc("verify the server's certificate and host name; false only for tests"),
  };
  return table;
}

// "setting '<key>': file '<path>' does not exist" when `path` is set and is
// not a regular file.
inline void check_settings_file(const std::string& path, const std::string& key,
                                std::vector<std::string>& errors) {
  if (path.empty()) return;
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec))
    errors.push_back("setting '" + key + "': file '" + path + "' does not exist");
}

// The files of `tls` exist, and a client certificate comes with its key.
// `prefix` names the settings in errors ("tls." for the mapping, "tls_" for
// flat keys).
inline void check_tls_files(const TlsSettings& tls, const std::string& prefix,
                            std::vector<std::string>& errors) {
  check_settings_file(tls.ca_file, prefix + "ca", errors);
  check_settings_file(tls.cert_file, prefix + "cert", errors);
  check_settings_file(tls.key_file, prefix + "key", errors);
  if (tls.cert_file.empty() != tls.key_file.empty())
    errors.push_back("settings '" + prefix + "cert' and '" + prefix +
                     "key' go together: set both or neither");
}

// Validates a `tls:` mapping: its keys and values (errors prefixed "tls: "),
// then its files.
inline void validate_tls_mapping(const boost::json::object& mapping,
                                 std::vector<std::string>& errors) {
  std::vector<std::string> table_errors;
  tls_settings_table().validate(mapping, table_errors);
  for (auto& e : table_errors) errors.push_back("tls: " + e);
  if (table_errors.empty()) check_tls_files(tls_settings_table().parse(mapping), "tls.", errors);
}

}  // namespace sluice
