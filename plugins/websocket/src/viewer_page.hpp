// The live viewer page (viewer/viewer.html), compiled in at build time so
// the plugin is one file with no assets to install.
#pragma once

#include <string_view>

namespace sluice::websocket {

// The page's HTML; the JSON string "__SLUICE_VIEWER_CONFIG__" in it is
// replaced by the server's settings when served.
std::string_view viewer_page_html();

}  // namespace sluice::websocket
