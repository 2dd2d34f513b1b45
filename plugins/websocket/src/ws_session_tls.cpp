// WsSession over TLS (wss://). One instantiation, with permessage-deflate
// support whether offered or not: a TLS connection's own state dwarfs the
// 60 bytes, and each instantiation adds minutes to a sanitized build.
#include "ws_session_impl.hpp"

namespace sluice::websocket {

template class WsSession<TlsStream, true>;

}  // namespace sluice::websocket
