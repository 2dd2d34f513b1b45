// The TLS context of a plugin that runs a server (websocket, http): TLS 1.2
// and up, the certificate chain and key from PEM files, and, when a client
// CA is given, a client certificate signed by it required.
#pragma once

#include <boost/asio/ssl/context.hpp>
#include <exception>
#include <string>

namespace sluice::common {

// Fills `tls` (made with ssl::context::tls_server). False, with `error`
// naming the files, when one cannot be loaded.
inline bool load_tls_server(boost::asio::ssl::context& tls, const std::string& cert,
                            const std::string& key, const std::string& client_ca,
                            std::string& error) {
  namespace ssl = boost::asio::ssl;
  try {
    tls.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                    ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
    tls.use_certificate_chain_file(cert);
    tls.use_private_key_file(key, ssl::context::pem);
    if (!client_ca.empty()) {
      tls.load_verify_file(client_ca);
      tls.set_verify_mode(ssl::verify_peer | ssl::verify_fail_if_no_peer_cert);
    }
    return true;
  } catch (const std::exception& e) {
    error = "cannot load TLS files (certificate '" + cert + "', key '" + key + "'" +
            (client_ca.empty() ? "" : ", client CA '" + client_ca + "'") + "): " + e.what();
    return false;
  }
}

}  // namespace sluice::common
