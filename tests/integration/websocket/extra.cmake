# The plugin's socket-free core (hub, index, throttles, auth, protocol) is
# tested in tests/unit/websocket; these tests use real sockets and a Beast
# WebSocket client, and link the units for the settings and protocol types
# the harness shares. The browser test drives the live viewer with a real
# headless Chromium (tests/browser/websocket).
target_link_libraries(integration_websocket PRIVATE sluice-websocket-units)
foreach(plugin websocket stdio generate)
  if(TARGET sluice-plugin-${plugin})
    add_dependencies(integration_websocket sluice-plugin-${plugin})
  endif()
endforeach()

add_test(NAME websocket_browser_viewer
         COMMAND ${CMAKE_SOURCE_DIR}/tests/browser/websocket/run.sh)
set_tests_properties(websocket_browser_viewer PROPERTIES
  ENVIRONMENT "${SLUICE_TEST_ENV}" TIMEOUT 600 LABELS browser)
