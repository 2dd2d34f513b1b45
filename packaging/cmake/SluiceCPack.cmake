# CPack settings: DEB and RPM, one package per component group.
#   sluice               host + built-in plugins + config, unit, man page
#   sluice-plugin-<name> one per broker plugin, depends on a host of its ABI
#   sluice-dev           SDK headers and the CMake package sluice-sdk
# Included from packaging/CMakeLists.txt, which sets builtin_components,
# SLUICE_PACKAGED_PLUGINS and SLUICE_CONFIG_FILES.

# The host refuses plugins of another ABI major, so the package manager must
# too: `sluice` provides sluice-abi-<major> and every plugin package needs it.
file(STRINGS ${CMAKE_SOURCE_DIR}/sdk/include/sluice/plugin.h abi_line
     REGEX "^#define SLUICE_ABI_MAJOR +[0-9]+")
string(REGEX MATCH "[0-9]+$" SLUICE_ABI_MAJOR "${abi_line}")
if(SLUICE_ABI_MAJOR STREQUAL "")
  message(FATAL_ERROR "packaging: no '#define SLUICE_ABI_MAJOR <n>' in sdk/include/sluice/plugin.h")
endif()

if(NOT CMAKE_INSTALL_PREFIX STREQUAL "/usr")
  message(STATUS "packaging: CMAKE_INSTALL_PREFIX is ${CMAKE_INSTALL_PREFIX}; packages are "
                 "built with /usr (scripts/package.sh)")
endif()

set(CPACK_GENERATOR DEB RPM)
set(CPACK_PACKAGE_NAME sluice)
set(CPACK_PACKAGE_VENDOR "The sluice authors")
set(CPACK_PACKAGE_CONTACT "${SLUICE_PACKAGE_MAINTAINER}")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "event router with broker plugins and Lua routing")
set(CPACK_RESOURCE_FILE_LICENSE ${CMAKE_SOURCE_DIR}/LICENSE)
set(CPACK_PACKAGE_DIRECTORY ${CMAKE_BINARY_DIR}/packages)
# The host has the plugin directory compiled in: install where it looks.
set(CPACK_PACKAGING_INSTALL_PREFIX ${CMAKE_INSTALL_PREFIX})
set(CPACK_STRIP_FILES ON)
# Config in /etc and a systemd unit: the packages cannot move elsewhere.
set(CPACK_PACKAGE_RELOCATABLE OFF)
set(CPACK_PROJECT_CONFIG_FILE ${CMAKE_CURRENT_SOURCE_DIR}/cmake/SluiceCPackPerGenerator.cmake)

set(plugin_components "")
foreach(plugin IN LISTS SLUICE_PACKAGED_PLUGINS)
  list(APPEND plugin_components plugin-${plugin})
endforeach()
set(CPACK_COMPONENTS_ALL host ${builtin_components} ${plugin_components} dev)
set(CPACK_COMPONENTS_GROUPING ONE_PER_GROUP)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_RPM_COMPONENT_INSTALL ON)

# --- package descriptions (first line: the synopsis) ------------------------
set(builtin_names "")
foreach(component IN LISTS builtin_components)
  string(REPLACE "plugin-" "" name ${component})
  list(APPEND builtin_names ${name})
endforeach()
list(JOIN builtin_names ", " builtin_text)
if(builtin_text STREQUAL "")
  set(builtin_text "none in this build")
endif()
# Lines of at most 80 columns: Debian shows descriptions as they are wrapped.
set(intro "sluice moves messages between message brokers, files, standard input and\noutput \
and WebSocket clients. Plugins (shared objects with a stable C ABI)\nconnect to the brokers; \
routes in YAML or a Lua script say what flows where,\nwith filters, transforms and throttles, \
and delivery is at least once.")
set(host_synopsis "event router with broker plugins and Lua routing")
set(host_body "${intro}\n\nThis package has the sluice daemon, its systemd service (not \
enabled by\ndefault), the default configuration in /etc/sluice and the built-in\nplugins: \
${builtin_text}.\nBroker plugins come in the packages sluice-plugin-<name>; other\nplugins go \
into /usr/local/lib/sluice/plugins.")
set(dev_synopsis "SDK to build plugins for the sluice event router")
set(dev_body "Headers of the sluice plugin C ABI and of its C++ helper, and the CMake\npackage \
sluice-sdk: find_package(sluice-sdk) and sluice_add_plugin() build a\nplugin outside the \
sluice source tree. A template project is in\n\
/usr/share/doc/sluice-dev/examples/plugin-template.")
function(sluice_plugin_texts plugin synopsis_var body_var)
  set(${synopsis_var} "plugin ${plugin} for the sluice event router" PARENT_SCOPE)
  # No double quotes: CPack copies these texts into its config unescaped.
  set(${body_var} "${intro}\n\nThis package adds the plugin ${plugin} to sluice. Once it is \
installed,\n`sluice plugins` lists it and connectors use it with `plugin: ${plugin}`."
      PARENT_SCOPE)
endfunction()

# RPM summaries start with a capital letter (rpmlint), Debian synopses not.
function(sluice_capitalize text out)
  string(SUBSTRING "${text}" 0 1 first)
  string(SUBSTRING "${text}" 1 -1 rest)
  string(TOUPPER "${first}" first)
  set(${out} "${first}${rest}" PARENT_SCOPE)
endfunction()

# --- DEB --------------------------------------------------------------------
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SOURCE sluice)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION TRUE)

set(conffiles "")
foreach(file IN LISTS SLUICE_CONFIG_FILES)
  string(APPEND conffiles "${file}\n")
endforeach()
file(WRITE ${CMAKE_CURRENT_BINARY_DIR}/debian/conffiles "${conffiles}")

set(CPACK_DEBIAN_SLUICE_PACKAGE_NAME sluice)
set(CPACK_DEBIAN_SLUICE_DESCRIPTION "${host_synopsis}\n${host_body}")
set(CPACK_DEBIAN_SLUICE_PACKAGE_DEPENDS "adduser")
set(CPACK_DEBIAN_SLUICE_PACKAGE_PROVIDES "sluice-abi-${SLUICE_ABI_MAJOR}")
set(CPACK_DEBIAN_SLUICE_PACKAGE_CONTROL_EXTRA
    ${CMAKE_CURRENT_SOURCE_DIR}/debian/postinst
    ${CMAKE_CURRENT_SOURCE_DIR}/debian/prerm
    ${CMAKE_CURRENT_SOURCE_DIR}/debian/postrm
    ${CMAKE_CURRENT_BINARY_DIR}/debian/conffiles)
set(plugin_packages "")
foreach(plugin IN LISTS SLUICE_PACKAGED_PLUGINS)
  list(APPEND plugin_packages sluice-plugin-${plugin})
endforeach()
list(JOIN plugin_packages ", " CPACK_DEBIAN_SLUICE_PACKAGE_SUGGESTS)

foreach(plugin IN LISTS SLUICE_PACKAGED_PLUGINS)
  string(TOUPPER "plugin-${plugin}" component)
  set(CPACK_DEBIAN_${component}_PACKAGE_DEPENDS
      "sluice (>= ${PROJECT_VERSION}), sluice-abi-${SLUICE_ABI_MAJOR}")
  sluice_plugin_texts(${plugin} synopsis body)
  set(CPACK_DEBIAN_${component}_DESCRIPTION "${synopsis}\n${body}")
endforeach()

set(CPACK_DEBIAN_DEV_PACKAGE_NAME sluice-dev)
set(CPACK_DEBIAN_DEV_PACKAGE_ARCHITECTURE all)
set(CPACK_DEBIAN_DEV_PACKAGE_SECTION devel)
set(CPACK_DEBIAN_DEV_DESCRIPTION "${dev_synopsis}\n${dev_body}")
# The SDK's CMake package does find_dependency(Boost COMPONENTS json).
set(boost_series "${Boost_MAJOR_VERSION}.${Boost_MINOR_VERSION}")
set(CPACK_DEBIAN_DEV_PACKAGE_DEPENDS
    "libboost-json${boost_series}-dev | libboost-json-dev (>= ${boost_series})")
set(CPACK_DEBIAN_DEV_PACKAGE_RECOMMENDS "cmake, g++ | c++-compiler")
set(CPACK_DEBIAN_DEV_PACKAGE_SUGGESTS "sluice")

# --- RPM --------------------------------------------------------------------
set(CPACK_RPM_FILE_NAME RPM-DEFAULT)
set(CPACK_RPM_MAIN_COMPONENT sluice)
set(CPACK_RPM_PACKAGE_RELEASE ${SLUICE_RPM_RELEASE})
set(CPACK_RPM_PACKAGE_LICENSE "Apache-2.0")
set(CPACK_RPM_PACKAGE_URL "${PROJECT_HOMEPAGE_URL}")
set(CPACK_RPM_CHANGELOG_FILE ${CMAKE_CURRENT_BINARY_DIR}/rpm-changelog)
# Directories that other packages (systemd, man, cmake) own.
set(CPACK_RPM_EXCLUDE_FROM_AUTO_FILELIST_ADDITION
    /usr/lib/systemd /usr/lib/systemd/system /usr/share/man /usr/share/man/man1
    /usr/lib/cmake /usr/local /usr/local/lib)
# A plugin has no SONAME and nothing links to it: provide nothing for it.
set(CPACK_RPM_SPEC_MORE_DEFINE "%global __provides_exclude_from ^/usr/lib/sluice/plugins/.*$")

sluice_capitalize("${host_synopsis}" CPACK_RPM_SLUICE_PACKAGE_SUMMARY)
set(CPACK_RPM_SLUICE_PACKAGE_DESCRIPTION "${host_body}")
set(CPACK_RPM_SLUICE_PACKAGE_PROVIDES "sluice(abi) = ${SLUICE_ABI_MAJOR}")
set(CPACK_RPM_SLUICE_PACKAGE_REQUIRES_PRE "/usr/sbin/useradd, /usr/sbin/groupadd")
set(CPACK_RPM_SLUICE_PRE_INSTALL_SCRIPT_FILE ${CMAKE_CURRENT_SOURCE_DIR}/rpm/pre.sh)
set(CPACK_RPM_SLUICE_POST_INSTALL_SCRIPT_FILE ${CMAKE_CURRENT_SOURCE_DIR}/rpm/post.sh)
set(CPACK_RPM_SLUICE_PRE_UNINSTALL_SCRIPT_FILE ${CMAKE_CURRENT_SOURCE_DIR}/rpm/preun.sh)
set(CPACK_RPM_SLUICE_POST_UNINSTALL_SCRIPT_FILE ${CMAKE_CURRENT_SOURCE_DIR}/rpm/postun.sh)
set(CPACK_RPM_SLUICE_USER_FILELIST "")
foreach(file IN LISTS SLUICE_CONFIG_FILES)
  list(APPEND CPACK_RPM_SLUICE_USER_FILELIST "%config(noreplace) ${file}")
endforeach()

foreach(plugin IN LISTS SLUICE_PACKAGED_PLUGINS)
  string(TOUPPER "plugin-${plugin}" component)
  sluice_plugin_texts(${plugin} synopsis body)
  sluice_capitalize("${synopsis}" CPACK_RPM_${component}_PACKAGE_SUMMARY)
  set(CPACK_RPM_${component}_PACKAGE_DESCRIPTION "${body}")
  set(CPACK_RPM_${component}_PACKAGE_REQUIRES
      "sluice >= ${PROJECT_VERSION}, sluice(abi) = ${SLUICE_ABI_MAJOR}")
endforeach()

set(CPACK_RPM_DEV_PACKAGE_ARCHITECTURE noarch)
set(CPACK_RPM_DEV_PACKAGE_SUMMARY "${dev_synopsis}")
set(CPACK_RPM_DEV_PACKAGE_DESCRIPTION "${dev_body}")
set(CPACK_RPM_DEV_PACKAGE_REQUIRES "boost-devel >= ${boost_series}")

include(CPack)

cpack_add_component_group(sluice DISPLAY_NAME "sluice")
foreach(component IN ITEMS host ${builtin_components})
  cpack_add_component(${component} GROUP sluice)
endforeach()
foreach(component IN LISTS plugin_components)
  cpack_add_component(${component})
endforeach()
cpack_add_component(dev)
