# sluice_add_plugin(<name> SOURCES ... [LIBRARIES ...] [COMPONENT comp])
# Builds plugins/<name> as the module sluice-<name>.so in the build's
# plugins/ folder and installs it into the system plugin directory.
function(sluice_add_plugin name)
  cmake_parse_arguments(ARG "" "COMPONENT" "SOURCES;LIBRARIES" ${ARGN})
  set(target sluice-plugin-${name})
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
