# The README check needs the stdio plugin's settings table.
target_link_libraries(integration_stdio PRIVATE sluice-stdio-units)
add_dependencies(integration_stdio sluice-plugin-stdio)
# The crash tests read a file into the stdio sink.
if(TARGET sluice-plugin-file)
  add_dependencies(integration_stdio sluice-plugin-file)
endif()
