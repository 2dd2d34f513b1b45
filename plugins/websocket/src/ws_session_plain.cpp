// WsSession over a plain TCP socket (ws://).
#include "ws_session_impl.hpp"

namespace sluice::websocket {

template class WsSession<PlainWsTransport, false>;
template class WsSession<PlainWsTransport, true>;

}  // namespace sluice::websocket
