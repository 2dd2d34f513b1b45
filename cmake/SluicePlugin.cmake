# sluice_add_plugin(<name> SOURCES ... [UNITS ...] [LIBRARIES ...] [COMPONENT comp])
# Builds plugins/<name> as the module sluice-<name>.so in the build's
# plugins/ folder and installs it into the system plugin directory.
# SOURCES holds the entry point (<name>_plugin.cpp). UNITS, when given, are
# the plugin's other sources: they become the static library
# sluice-<name>-units (include directory src/), which the module links and
# which unit tests link to test the units without loading the plugin.
function(sluice_add_plugin name)
  cmake_parse_arguments(ARG "" "COMPONENT" "SOURCES;UNITS;LIBRARIES" ${ARGN})
  set(target sluice-plugin-${name})
  if(ARG_UNITS)
    set(units sluice-${name}-units)
    add_library(${units} STATIC ${ARG_UNITS})
    set_target_properties(${units} PROPERTIES
      POSITION_INDEPENDENT_CODE ON
      CXX_VISIBILITY_PRESET hidden
      C_VISIBILITY_PRESET hidden
      VISIBILITY_INLINES_HIDDEN ON)
    target_include_directories(${units} PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/src)
    target_link_libraries(${units} PUBLIC sluice::sdk ${ARG_LIBRARIES})
    list(APPEND ARG_LIBRARIES ${units})
  endif()
  add_library(${target} MODULE ${ARG_SOURCES})
  set_target_properties(${target} PROPERTIES
    PREFIX ""
    OUTPUT_NAME "sluice-${name}"
    LIBRARY_OUTPUT_DIRECTORY ${SLUICE_PLUGIN_OUTPUT_DIR}
    CXX_VISIBILITY_PRESET hidden
    C_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON)
  target_link_libraries(${target} PRIVATE sluice::sdk ${ARG_LIBRARIES})
  # A plugin must resolve every symbol itself: it never links the host.
  target_link_options(${target} PRIVATE -Wl,--no-undefined)
  if(NOT ARG_COMPONENT)
    set(ARG_COMPONENT plugin-${name})
  endif()
  install(TARGETS ${target} LIBRARY DESTINATION ${SLUICE_PLUGIN_INSTALL_DIR}
          COMPONENT ${ARG_COMPONENT})
endfunction()
