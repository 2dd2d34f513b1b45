# The README check needs the stdio plugin's settings table.
target_sources(integration_stdio PRIVATE ${CMAKE_SOURCE_DIR}/plugins/stdio/stdio_settings.cpp)
target_include_directories(integration_stdio PRIVATE ${CMAKE_SOURCE_DIR}/plugins/stdio)
target_link_libraries(integration_stdio PRIVATE sluice::sdk)
add_dependencies(integration_stdio sluice-plugin-stdio)
# The crash tests read a file into the stdio sink.
if(TARGET sluice-plugin-file)
  add_dependencies(integration_stdio sluice-plugin-file)
endif()
