# The README check needs the stdio plugin's settings table.
target_sources(integration_stdio PRIVATE ${CMAKE_SOURCE_DIR}/plugins/stdio/stdio_settings.cpp)
target_include_directories(integration_stdio PRIVATE ${CMAKE_SOURCE_DIR}/plugins/stdio)
target_link_libraries(integration_stdio PRIVATE sluice::sdk)
add_dependencies(integration_stdio sluice-plugin-stdio)
