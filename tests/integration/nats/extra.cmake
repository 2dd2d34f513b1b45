# The NATS integration tests talk to nats-server with their own cnats client,
# load the built plugin through its C ABI (plugin_harness), and check the
# README against the plugin's declared settings.
find_package(PkgConfig REQUIRED)
pkg_check_modules(NATS_TEST REQUIRED IMPORTED_TARGET libnats)
target_link_libraries(integration_nats PRIVATE PkgConfig::NATS_TEST sluice-nats-units
                      ${CMAKE_DL_LIBS})
add_dependencies(integration_nats sluice-plugin-nats)
